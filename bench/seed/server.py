"""The original Flask-SocketIO chat, re-created from shared/reference/seed-flask-socketio.md for the load benchmark.

Handlers are the original's, unchanged (defects included). Only the start-up differs: host and port come from the
command line, so the benchmark can use a free port. Run with Debian's interpreter, which sees the apt packages
python3-flask-socketio (5.3.2) and python3-eventlet (0.33.1); Flask-SocketIO then picks eventlet's server:

    /usr/bin/python3 bench/seed/server.py --port 8881
"""
import argparse

from flask import Flask, render_template, request, send_from_directory
from flask_socketio import SocketIO, emit

app = Flask(__name__)
app.config['SECRET_KEY'] = 'secret!'
socketio = SocketIO(app)

clientes_conectados = {}


@app.route('/')
def index():
    return render_template('index.html')


@app.route('/logo')
def logo():
    return send_from_directory('static', 'logo.png')


@app.route('/flaticon')
def icon():
    return send_from_directory('static', 'icon.png')


@socketio.on('connect')
def handle_connect():
    print('Cliente conectado')


@socketio.on('disconnect')
def handle_disconnect():
    nickname = [nickname for nickname, sid in clientes_conectados.items() if sid == request.sid][0]
    print(f'{nickname} desconectou-se.')
    emit('message', f'{nickname} saiu do chat.', broadcast=True)
    del clientes_conectados[nickname]


@socketio.on('register')
def handle_register(nickname):
    clientes_conectados[nickname] = request.sid
    print(f'{nickname} conectou-se ao chat.')
    emit('message', f'{nickname} entrou no chat.', broadcast=True)


@socketio.on('message')
def handle_message(message):
    nickname = [nick for nick, sid in clientes_conectados.items() if sid == request.sid][0]
    print(f'Mensagem de {nickname}: {message}')
    emit('broadcast_message', {'msg': message, 'nickname': nickname}, broadcast=True)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8881)
    options = parser.parse_args()
    print(f'async_mode={socketio.async_mode}', flush=True)
    socketio.run(app, host=options.host, port=options.port)
