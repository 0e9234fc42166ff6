using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Unit.Deploy;

/// <summary>
/// No container runtime runs here, so these tests hold the files under deploy/ to the code instead: each image starts
/// the assembly its project builds and exposes the ports the app listens on, the manifests probe the paths the app
/// serves, and every setting they name exists.
/// </summary>
public sealed partial class DeployArtifactsTests
{
    private const string SettingPrefix = "OrleansChat__Cluster__";

    /// <summary>Each image: its Dockerfile, the project it builds, and the image name the manifests use.</summary>
    private static readonly Dictionary<string, ImageCase> ImageCases = new()
    {
        ["silo"] = new("Dockerfile.silo", "Silo/Silo.csproj", "orleans-chat-silo"),
        ["webfront"] = new("Dockerfile.webfront", "WebFront/WebFront.csproj", "orleans-chat-webfront"),
    };

    public static TheoryData<string> Images => new(ImageCases.Keys);

    public static TheoryData<string> YamlFiles => new(
        Repo.DeployFiles()
            .Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Repo.Deploy, path))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Every_yaml_file_parses(string file)
    {
        var documents = Yaml.Load(Path.Combine(Repo.Deploy, file));

        Assert.NotEmpty(documents);
        Assert.All(documents, document => Assert.IsType<YamlMappingNode>(document));
    }

    [Fact]
    public void Compose_runs_redis_two_silos_two_fronts_and_a_proxy_on_8881()
    {
        var services = ComposeServices();

        Assert.Single(services, s => s.IsRedis);
        Assert.Equal(2, services.Count(s => s.IsSilo));
        Assert.Equal(2, services.Count(s => s.IsFront));
        var proxy = Assert.Single(services, s => s.IsProxy);
        Assert.Contains("8881:8881", proxy.Ports);
    }

    [Fact]
    public void Compose_builds_from_the_repository_root_with_existing_dockerfiles()
    {
        foreach (var service in ComposeServices().Where(s => s.Dockerfile is not null))
        {
            Assert.Equal(Repo.Root, Path.GetFullPath(Path.Combine(Repo.Deploy, service.BuildContext!)));
            Assert.True(File.Exists(Path.Combine(Repo.Root, service.Dockerfile!)), $"{service.Name}: {service.Dockerfile}");
        }
    }

    [Fact]
    public void Compose_silos_and_fronts_share_one_redis_and_cluster_and_stop_gracefully()
    {
        var services = ComposeServices();
        var redis = services.Single(s => s.IsRedis);
        var apps = services.Where(s => s.IsSilo || s.IsFront).ToList();

        foreach (var app in apps)
        {
            Assert.Equal("Redis", app.Environment[SettingPrefix + "Mode"]);
            Assert.Equal($"{redis.Name}:6379", app.Environment[SettingPrefix + "RedisConnectionString"]);
            Assert.Equal(apps[0].Environment[SettingPrefix + "ServiceId"], app.Environment[SettingPrefix + "ServiceId"]);
            Assert.Equal(apps[0].Environment[SettingPrefix + "ClusterId"], app.Environment[SettingPrefix + "ClusterId"]);
            Assert.True(app.StopGracePeriod >= TimeSpan.FromSeconds(30), $"{app.Name}: stop_grace_period {app.StopGracePeriod}");
        }
    }

    [Fact]
    public void Compose_starts_each_tier_once_the_tier_below_is_healthy()
    {
        var services = ComposeServices();

        void Waits(Func<ComposeService, bool> tier, Func<ComposeService, bool> below)
        {
            foreach (var service in services.Where(tier))
            {
                Assert.All(services.Where(below), b => Assert.Equal("service_healthy", service.DependsOn.GetValueOrDefault(b.Name)));
            }
        }

        Waits(s => s.IsSilo, s => s.IsRedis);
        Waits(s => s.IsFront, s => s.IsSilo);
        Waits(s => s.IsProxy, s => s.IsFront);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Compose_health_checks_ask_each_app_for_readiness_on_its_management_port(string name)
    {
        var image = ImageCases[name];
        var port = ManagementPort(image.Dockerfile);

        foreach (var service in ComposeServices().Where(s => s.Dockerfile == $"deploy/{image.Dockerfile}"))
        {
            var check = string.Join(' ', service.HealthCheck);
            Assert.Contains($"/dev/tcp/127.0.0.1/{port}", check);
            Assert.Contains("GET /health/ready ", check);
        }
    }

    [Fact]
    public void Nginx_balances_over_the_compose_fronts_and_passes_websockets_on()
    {
        var conf = File.ReadAllText(Path.Combine(Repo.Deploy, "nginx", "nginx.conf"));
        var proxy = ComposeServices().Single(s => s.IsProxy);
        var fronts = ComposeServices().Where(s => s.IsFront)
            .Select(s => $"{s.Name}:{ListenPort(ImageCases["webfront"].Project)}");

        var upstream = UpstreamBlock().Match(conf);
        Assert.True(upstream.Success, "nginx.conf has no upstream block");
        var servers = UpstreamServer().Matches(upstream.Value).Select(m => m.Groups["server"].Value);
        Assert.Equal(fronts.Order(), servers.Order());
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", conf);
        Assert.Contains("proxy_set_header Connection $connection_upgrade;", conf);
        Assert.Contains("listen 8881;", conf);
        Assert.Contains("./nginx/nginx.conf:/etc/nginx/nginx.conf:ro", proxy.Volumes);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_starts_the_assembly_its_project_builds(string name)
    {
        var image = ImageCases[name];
        var entrypoint = Dockerfile.Parse(image.Dockerfile).Final("ENTRYPOINT").Single();

        var command = JsonSerializer.Deserialize<string[]>(entrypoint)!;

        Assert.Equal(["dotnet", AssemblyName(image.Project) + ".dll"], command);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_exposes_and_listens_on_the_ports_the_app_uses(string name)
    {
        var image = ImageCases[name];
        var file = Dockerfile.Parse(image.Dockerfile);

        Assert.Equal(AppPorts(image.Project).Append(ManagementPort(image.Dockerfile)).Order(), file.ExposedPorts());
        var urls = file.Final("ENV").Select(env => EnvSetting().Match(env)).Single(m => m.Groups["name"].Value == "ASPNETCORE_URLS");
        Assert.Equal(ListenPort(image.Project), new Uri(urls.Groups["value"].Value.Replace("+", "localhost")).Port);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_builds_with_the_sdk_and_runs_on_aspnet_as_a_non_root_user(string name)
    {
        var file = Dockerfile.Parse(ImageCases[name].Dockerfile);
        var framework = XDocument.Load(Path.Combine(Repo.Root, "Directory.Build.props"))
            .Descendants("TargetFramework").Single().Value;
        var version = framework["net".Length..];

        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{version}", file.Stages[0].Split(' ')[0]);
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{version}", file.Stages[^1].Split(' ')[0]);
        var user = file.Final("USER").Last();
        Assert.DoesNotMatch("^(root|0)(:.*)?$", user);
        Assert.Contains(file.All("RUN"), run => run.Contains("dotnet publish", StringComparison.Ordinal) && run.Contains("-c Release", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_copies_every_project_and_build_file_its_project_needs(string name)
    {
        var image = ImageCases[name];
        var copied = Dockerfile.Parse(image.Dockerfile).CopiedPaths();

        Assert.Contains("Directory.Build.props", copied);
        Assert.Contains("Directory.Packages.props", copied);
        foreach (var needed in ProjectClosure(image.Project))
        {
            Assert.Contains(needed.Csproj, copied);
            // Its folder, or a folder that holds it (Silo/ holds Silo/Hosting/).
            Assert.Contains(copied, path => path.EndsWith('/') && (needed.Folder + "/").StartsWith(path, StringComparison.Ordinal));
            Assert.All(needed.Imports, import => Assert.Contains(import, copied));
        }

        Assert.All(copied, path => Assert.True(
            File.Exists(Path.Combine(Repo.Root, path)) || Directory.Exists(Path.Combine(Repo.Root, path)),
            $"{image.Dockerfile} copies {path}, which does not exist"));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_has_its_own_dockerignore_that_keeps_build_outputs_out(string name)
    {
        var ignore = File.ReadAllLines(Path.Combine(Repo.Deploy, ImageCases[name].Dockerfile + ".dockerignore"));

        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains("**/node_modules/", ignore);
        Assert.Contains(".git/", ignore);
    }

    /// <summary>The base (deploy/k8s) and each of its optional components lists every manifest in its folder.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("gateway-api")]
    [InlineData("prometheus-operator")]
    public void Kustomization_lists_every_manifest(string folder)
    {
        var directory = Path.Combine(Repo.K8s, folder);
        var kustomization = Yaml.Load(Path.Combine(directory, "kustomization.yaml")).Single();
        var resources = kustomization.Sequence("resources").Select(node => node.Text()).Order(StringComparer.Ordinal);

        var manifests = Directory.EnumerateFiles(directory, "*.yaml").Select(path => Path.GetFileName(path))
            .Where(name => name != "kustomization.yaml").Order(StringComparer.Ordinal);

        Assert.Equal(manifests, resources);
    }

    [Fact]
    public void K8s_manifests_name_no_namespace()
    {
        Assert.All(K8sObjects(), o => Assert.Null(o.Node.Find("metadata", "namespace")));
        Assert.Null(Yaml.Load(Path.Combine(Repo.K8s, "kustomization.yaml")).Single().Find("namespace"));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void K8s_containers_declare_the_ports_the_image_exposes(string name)
    {
        var image = ImageCases[name];
        var container = Container(image.ImageName);

        var ports = container.Sequence("ports").Select(port => int.Parse(port.Text("containerPort"))).Order();

        Assert.Equal(Dockerfile.Parse(image.Dockerfile).ExposedPorts(), ports);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void K8s_probes_ask_for_liveness_and_readiness_on_the_management_port(string name)
    {
        var image = ImageCases[name];
        var container = Container(image.ImageName);
        var httpPort = container.Sequence("ports").Single(port => port.Text("name") == "http");
        Assert.Equal(ListenPort(image.Project), int.Parse(httpPort.Text("containerPort")));
        var managementPort = container.Sequence("ports").Single(port => port.Text("name") == "management");
        Assert.Equal(ManagementPort(image.Dockerfile), int.Parse(managementPort.Text("containerPort")));

        Assert.Equal("/health/ready", container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", container.Text("startupProbe", "httpGet", "path"));
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            Assert.Equal("management", container.Text(probe, "httpGet", "port"));
        }
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void K8s_pods_tell_prometheus_to_scrape_the_management_port(string name)
    {
        var image = ImageCases[name];
        var annotations = Deployment(image.ImageName).Find("spec", "template", "metadata", "annotations")!;

        Assert.Equal("true", annotations.Text("prometheus.io/scrape"));
        Assert.Equal(ManagementPort(image.Dockerfile).ToString(), annotations.Text("prometheus.io/port"));
        Assert.Equal(ChatOperationsExtensions.MetricsPath, annotations.Text("prometheus.io/path"));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void K8s_deployments_roll_one_at_a_time_and_stop_gracefully_as_non_root(string name)
    {
        var deployment = Deployment(ImageCases[name].ImageName);

        Assert.Equal("2", deployment.Text("spec", "replicas"));
        Assert.Equal("0", deployment.Text("spec", "strategy", "rollingUpdate", "maxUnavailable"));
        Assert.Equal("1", deployment.Text("spec", "strategy", "rollingUpdate", "maxSurge"));
        var pod = deployment.Find("spec", "template", "spec")!;
        Assert.InRange(int.Parse(pod.Text("terminationGracePeriodSeconds")), 30, 60);
        Assert.Equal("true", pod.Text("securityContext", "runAsNonRoot"));
    }

    [Fact]
    public void K8s_fronts_wait_before_stopping_so_the_service_stops_routing_first()
    {
        var front = Container("orleans-chat-webfront");

        var command = front.Sequence("lifecycle", "preStop", "exec", "command").Select(node => node.Text()).ToList();

        Assert.Equal("sleep", command[0]);
        Assert.InRange(int.Parse(command[1]), 2, 15);
    }

    [Fact]
    public void K8s_silos_run_under_orleans_kubernetes_hosting_with_the_rights_it_needs()
    {
        var deployment = Deployment("orleans-chat-silo");
        var pod = deployment.Find("spec", "template", "spec")!;
        var env = Env(Container("orleans-chat-silo"));

        Assert.Equal("true", env[SettingPrefix + "Kubernetes"].Text("value"));
        Assert.Equal("$(POD_IP)", env[SettingPrefix + "AdvertisedAddress"].Text("value"));
        Assert.Equal("metadata.name", env["POD_NAME"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/serviceId']", env["ORLEANS_SERVICE_ID"].Text("valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"].Text("valueFrom", "fieldRef", "fieldPath"));

        var account = pod.Text("serviceAccountName");
        Assert.Single(K8sObjects("ServiceAccount"), o => o.Name == account);
        var binding = Assert.Single(K8sObjects("RoleBinding"), o => o.Node.Sequence("subjects").Any(s => s.Text("name") == account));
        var role = Assert.Single(K8sObjects("Role"), o => o.Name == binding.Node.Text("roleRef", "name"));
        var podRule = Assert.Single(role.Node.Sequence("rules"), rule => rule.Sequence("resources").Any(r => r.Text() == "pods"));
        var verbs = podRule.Sequence("verbs").Select(v => v.Text()).ToHashSet();
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "delete" }, verbs);
    }

    [Fact]
    public void K8s_silo_labels_match_the_cluster_ids_the_fronts_use()
    {
        var settings = ClusterConfigMap();
        var labels = Deployment("orleans-chat-silo").Find("spec", "template", "metadata", "labels")!;

        Assert.Equal(settings[SettingPrefix + "ServiceId"], labels.Text("orleans/serviceId"));
        Assert.Equal(settings[SettingPrefix + "ClusterId"], labels.Text("orleans/clusterId"));
        Assert.All(new[] { "orleans-chat-silo", "orleans-chat-webfront" }, image => Assert.Contains(
            Container(image).Sequence("envFrom"), from => from.Text("configMapRef", "name") == "orleans-chat-cluster"));
    }

    [Fact]
    public void K8s_redis_connection_string_names_the_redis_service()
    {
        var settings = ClusterConfigMap();
        var redis = K8sObjects("Service").Single(o => o.Name.Contains("redis", StringComparison.Ordinal));
        var port = redis.Node.Sequence("spec", "ports").Single().Text("port");

        Assert.Equal("Redis", settings[SettingPrefix + "Mode"]);
        Assert.Equal($"{redis.Name}:{port}", settings[SettingPrefix + "RedisConnectionString"]);
    }

    [Fact]
    public void K8s_ingress_routes_to_the_front_service_with_affinity_and_long_timeouts()
    {
        var ingress = K8sObjects("Ingress").Single(o => o.Name == "orleans-chat").Node;
        var service = K8sObjects("Service").Single(o => o.Name == "orleans-chat-webfront").Node;
        var annotations = ingress.Find("metadata", "annotations")!;

        var backend = ingress.Sequence("spec", "rules").Single().Sequence("http", "paths").Single().Find("backend", "service")!;
        Assert.Equal("orleans-chat-webfront", backend.Text("name"));
        Assert.Contains(service.Sequence("spec", "ports"), port => port.Text("name") == backend.Text("port", "name"));
        Assert.Equal("cookie", annotations.Text("nginx.ingress.kubernetes.io/affinity"));
        Assert.True(int.Parse(annotations.Text("nginx.ingress.kubernetes.io/proxy-read-timeout")) >= 120);
    }

    [Fact]
    public void Every_cluster_setting_the_deploy_files_name_exists()
    {
        var properties = typeof(ChatClusterOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var text = string.Concat(Repo.DeployFiles().Select(File.ReadAllText));

        var named = ClusterSetting().Matches(text).Select(m => m.Groups["name"].Value).ToHashSet();

        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.Contains(name, properties));
        Assert.All(ClusterModeValues().Matches(text).Select(m => m.Groups["mode"].Value),
            mode => Assert.True(Enum.TryParse<ClusterMode>(mode, out _), $"no cluster mode {mode}"));
    }

    [Fact]
    public void Local_cluster_script_is_valid_bash_and_explains_itself()
    {
        var script = Path.Combine(Repo.Deploy, "local-cluster.sh");

        var syntax = Bash("-n", script);
        var help = Bash(script, "--help");

        Assert.True(syntax.ExitCode == 0, syntax.Output);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("Usage:", help.Output);
    }

    /// <summary>
    /// The docs promise that an acknowledged post is on disk (docs/reliability.md, "What “acknowledged” guarantees"):
    /// that holds only while every Redis the repository ships fsyncs its append-only file before it answers.
    /// </summary>
    [Fact]
    public void Compose_redis_fsyncs_every_write_before_it_answers()
    {
        var redis = ComposeServices().Single(s => s.IsRedis);

        Assert.Equal("redis-server", redis.Command[0]);
        AssertFsyncsEveryWrite(redis.Command);
    }

    [Fact]
    public void K8s_redis_fsyncs_every_write_before_it_answers_onto_a_claimed_volume()
    {
        var (redis, container) = K8sObjects()
            .SelectMany(o => ((IEnumerable<YamlNode>?)o.Node.Find("spec", "template", "spec", "containers") ?? []).Select(c => (o, c)))
            .Single(pair => pair.c.Text("image").StartsWith("redis:", StringComparison.Ordinal));
        var mount = container.Sequence("volumeMounts").Single(m => m.Text("mountPath") == "/data");

        AssertFsyncsEveryWrite(container.Sequence("args").Select(a => a.Text()).ToList());
        Assert.Equal("StatefulSet", redis.Kind);
        Assert.Contains(redis.Node.Sequence("spec", "volumeClaimTemplates"), t => t.Text("metadata", "name") == mount.Text("name"));
    }

    [Theory]
    [UnsupportedOSPlatform("windows")]
    [InlineData(null, "always")]
    [InlineData("always", "always")]
    [InlineData("everysec", "everysec")]
    public void Local_cluster_script_runs_redis_with_an_append_only_file_in_its_folder(string? option, string fsync)
    {
        var arguments = RedisArgumentsOfLocalCluster(option is null ? [] : ["--redis-fsync", option]);

        Assert.Equal("yes", Flag(arguments, "--appendonly"));
        Assert.Equal(fsync, Flag(arguments, "--appendfsync"));
        Assert.StartsWith("orleans-chat-cluster.", Path.GetFileName(Path.GetDirectoryName(Flag(arguments, "--dir"))));
    }

    [Fact]
    public void Local_cluster_script_refuses_an_fsync_policy_it_does_not_offer()
    {
        var result = Bash(Path.Combine(Repo.Deploy, "local-cluster.sh"), "--redis-fsync", "no");

        Assert.Equal(2, result.ExitCode);
    }

    private static void AssertFsyncsEveryWrite(IReadOnlyList<string> arguments)
    {
        Assert.Equal("yes", Flag(arguments, "--appendonly"));
        Assert.Equal("always", Flag(arguments, "--appendfsync"));
    }

    /// <summary>The value after <paramref name="name"/> in a command line.</summary>
    private static string? Flag(IReadOnlyList<string> arguments, string name)
    {
        var at = arguments.ToList().LastIndexOf(name);
        return at >= 0 && at + 1 < arguments.Count ? arguments[at + 1] : null;
    }

    /// <summary>
    /// The arguments local-cluster.sh starts redis-server with: the script runs from a copy of deploy/ beside stand-ins
    /// for the Release builds, with a redis-server on the PATH that records its arguments and exits, which makes the
    /// script stop before it starts anything else.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static IReadOnlyList<string> RedisArgumentsOfLocalCluster(string[] options)
    {
        var sandbox = Directory.CreateTempSubdirectory("local-cluster-test.");
        try
        {
            var deploy = Directory.CreateDirectory(Path.Combine(sandbox.FullName, "deploy")).FullName;
            File.Copy(Path.Combine(Repo.Deploy, "local-cluster.sh"), Path.Combine(deploy, "local-cluster.sh"));
            foreach (var dll in new[] { "Silo/bin/Release/net10.0/OrleansChat.Silo.dll", "WebFront/bin/Release/net10.0/OrleansChat.WebFront.dll" })
            {
                var path = Path.Combine(sandbox.FullName, dll);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, []);
            }

            var tools = Directory.CreateDirectory(Path.Combine(sandbox.FullName, "tools")).FullName;
            var recorded = Path.Combine(sandbox.FullName, "redis-arguments");
            var fake = Path.Combine(tools, "redis-server");
            File.WriteAllText(fake, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{recorded}'\nexit 1\n");
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            // Ports far from the defaults, so a chat running on this machine does not make the script refuse to start.
            var offset = Random.Shared.Next(2000, 20000).ToString(CultureInfo.InvariantCulture);
            var result = Bash(
                new Dictionary<string, string>
                {
                    ["PATH"] = tools + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
                    ["TMPDIR"] = sandbox.FullName,
                },
                [Path.Combine(deploy, "local-cluster.sh"), "--no-build", "--port-offset", offset, "--timeout", "5", .. options]);

            Assert.True(File.Exists(recorded), $"redis-server was not started:\n{result.Output}");
            return File.ReadAllLines(recorded);
        }
        finally
        {
            sandbox.Delete(recursive: true);
        }
    }

    private static IReadOnlyList<ComposeService> ComposeServices()
    {
        var compose = Yaml.Load(Path.Combine(Repo.Deploy, "compose.yaml")).Single();
        return ((YamlMappingNode)compose.Find("services")!).Children
            .Select(entry => ComposeService.From(entry.Key.Text(), (YamlMappingNode)entry.Value))
            .ToList();
    }

    /// <summary>The objects of the base and of its components (in folders below it).</summary>
    private static IEnumerable<K8sObject> K8sObjects(string? kind = null) =>
        Directory.EnumerateFiles(Repo.K8s, "*.yaml", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != "kustomization.yaml")
            .SelectMany(Yaml.Load)
            .Select(node => new K8sObject(node.Text("kind"), node.Text("metadata", "name"), node))
            .Where(o => kind is null || o.Kind == kind);

    private static YamlNode Deployment(string image) =>
        K8sObjects("Deployment").Single(o => o.Node.Sequence("spec", "template", "spec", "containers")
            .Any(c => c.Text("image") == image)).Node;

    private static YamlNode Container(string image) =>
        Deployment(image).Sequence("spec", "template", "spec", "containers").Single(c => c.Text("image") == image);

    private static Dictionary<string, YamlNode> Env(YamlNode container) =>
        container.Sequence("env").ToDictionary(e => e.Text("name"));

    /// <summary>The literals of kustomization.yaml's orleans-chat-cluster ConfigMap, which silos and fronts load.</summary>
    private static Dictionary<string, string> ClusterConfigMap()
    {
        var kustomization = Yaml.Load(Path.Combine(Repo.K8s, "kustomization.yaml")).Single();
        var generator = kustomization.Sequence("configMapGenerator").Single(g => g.Text("name") == "orleans-chat-cluster");
        return generator.Sequence("literals").Select(l => l.Text().Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
    }

    private static string AssemblyName(string project)
    {
        var csproj = XDocument.Load(Path.Combine(Repo.Root, project));
        return csproj.Descendants("AssemblyName").SingleOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);
    }

    /// <summary>
    /// The HTTP port the app listens on unless told otherwise: the <c>Urls</c> of its appsettings.json, or else the
    /// default its Program.cs passes to <c>ListenByDefaultOn</c>.
    /// </summary>
    private static int ListenPort(string project)
    {
        var folder = Path.Combine(Repo.Root, Path.GetDirectoryName(project)!);
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "appsettings.json")));
        var urls = settings.RootElement.TryGetProperty("Urls", out var value)
            ? value.GetString()!
            : ListenByDefaultOn().Match(File.ReadAllText(Path.Combine(folder, "Program.cs"))) is { Success: true } match
                ? match.Groups["urls"].Value
                : throw new InvalidOperationException($"{project}: no Urls in appsettings.json nor ListenByDefaultOn in Program.cs");
        return new Uri(urls.Split(';')[0].Replace("+", "localhost").Replace("*", "localhost")).Port;
    }

    /// <summary>The port the image serves health and metrics on: it sets <c>OrleansChat:Management:Port</c>.</summary>
    private static int ManagementPort(string dockerfile) => int.Parse(Dockerfile.Parse(dockerfile).Final("ENV")
        .Select(env => EnvSetting().Match(env))
        .Single(m => m.Groups["name"].Value == "OrleansChat__Management__Port").Groups["value"].Value);

    /// <summary>The HTTP port, and the silo and gateway ports when the app's appsettings.json sets them.</summary>
    private static IReadOnlyList<int> AppPorts(string project)
    {
        var ports = new List<int> { ListenPort(project) };
        var folder = Path.Combine(Repo.Root, Path.GetDirectoryName(project)!);
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "appsettings.json")));
        if (settings.RootElement.TryGetProperty("OrleansChat", out var chat) && chat.TryGetProperty("Cluster", out var cluster))
        {
            foreach (var name in new[] { nameof(ChatClusterOptions.SiloPort), nameof(ChatClusterOptions.GatewayPort) })
            {
                if (cluster.TryGetProperty(name, out var port) && port.GetInt32() > 0)
                {
                    ports.Add(port.GetInt32());
                }
            }
        }

        return ports.Order().ToList();
    }

    /// <summary>The project and every project it references, transitively, with the MSBuild files each imports.</summary>
    private static IReadOnlyList<ProjectFiles> ProjectClosure(string project)
    {
        var found = new Dictionary<string, ProjectFiles>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (found.ContainsKey(current))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(current)!.Replace('\\', '/');
            var csproj = XDocument.Load(Path.Combine(Repo.Root, current));
            string Relative(string include) =>
                Path.GetRelativePath(Repo.Root, Path.GetFullPath(Path.Combine(Repo.Root, folder, include.Replace('\\', '/'))))
                    .Replace('\\', '/');
            var imports = csproj.Descendants("Import").Select(i => i.Attribute("Project")?.Value)
                .OfType<string>().Where(p => !p.Contains('$')).Select(Relative).ToList();
            found[current] = new ProjectFiles(current, folder, imports);
            foreach (var reference in csproj.Descendants("ProjectReference"))
            {
                pending.Push(Relative(reference.Attribute("Include")!.Value));
            }
        }

        return found.Values.ToList();
    }

    private static (int ExitCode, string Output) Bash(params string[] arguments) => Bash(new Dictionary<string, string>(), arguments);

    private static (int ExitCode, string Output) Bash(IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Repo.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "bash did not finish in 30 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"upstream\s+\w+\s*\{[^}]*\}")]
    private static partial Regex UpstreamBlock();

    [GeneratedRegex(@"^\s*server\s+(?<server>[\w.-]+:\d+)", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"^(?<name>\w+)=(?<value>\S+)$")]
    private static partial Regex EnvSetting();

    [GeneratedRegex(@"ListenByDefaultOn\(\s*""(?<urls>[^""]+)""\s*\)")]
    private static partial Regex ListenByDefaultOn();

    [GeneratedRegex(SettingPrefix + @"(?<name>\w+?)(?=[^\w]|__|$)")]
    private static partial Regex ClusterSetting();

    [GeneratedRegex(SettingPrefix + @"Mode(?::[ \t]*|=)(?<mode>\w+)")]
    private static partial Regex ClusterModeValues();

    private sealed record ImageCase(string Dockerfile, string Project, string ImageName);

    private sealed record ProjectFiles(string Csproj, string Folder, IReadOnlyList<string> Imports);

    private sealed record K8sObject(string Kind, string Name, YamlNode Node);

    /// <summary>The parts of a compose service these tests look at.</summary>
    private sealed record ComposeService(
        string Name,
        string? Image,
        string? BuildContext,
        string? Dockerfile,
        IReadOnlyDictionary<string, string> Environment,
        IReadOnlyDictionary<string, string> DependsOn,
        IReadOnlyList<string> HealthCheck,
        IReadOnlyList<string> Ports,
        IReadOnlyList<string> Volumes,
        IReadOnlyList<string> Command,
        TimeSpan StopGracePeriod)
    {
        public bool IsRedis => Image?.StartsWith("redis:", StringComparison.Ordinal) == true;

        public bool IsProxy => Image?.StartsWith("nginx:", StringComparison.Ordinal) == true;

        public bool IsSilo => Dockerfile == "deploy/" + ImageCases["silo"].Dockerfile;

        public bool IsFront => Dockerfile == "deploy/" + ImageCases["webfront"].Dockerfile;

        public static ComposeService From(string name, YamlMappingNode service)
        {
            var environment = service.Find("environment") is YamlMappingNode map
                ? map.Children.ToDictionary(e => e.Key.Text(), e => e.Value.Text())
                : new Dictionary<string, string>();
            var dependsOn = service.Find("depends_on") is YamlMappingNode deps
                ? deps.Children.ToDictionary(e => e.Key.Text(), e => e.Value.Text("condition"))
                : new Dictionary<string, string>();
            var grace = service.Find("stop_grace_period")?.Text() is { } text
                ? TimeSpan.FromSeconds(int.Parse(text.TrimEnd('s')))
                : TimeSpan.FromSeconds(10);
            return new ComposeService(
                name,
                service.Find("image")?.Text(),
                service.Find("build", "context")?.Text(),
                service.Find("build", "dockerfile")?.Text(),
                environment,
                dependsOn,
                Texts(service, "healthcheck", "test"),
                Texts(service, "ports"),
                Texts(service, "volumes"),
                Texts(service, "command"),
                grace);
        }

        private static IReadOnlyList<string> Texts(YamlNode node, params string[] path) =>
            node.Find(path) is YamlSequenceNode sequence ? sequence.Select(n => n.Text()).ToList() : [];
    }

    /// <summary>A Dockerfile's instructions, continuation lines joined and comments dropped, split into stages.</summary>
    private sealed class Dockerfile(IReadOnlyList<(string Keyword, string Arguments, int Stage)> instructions)
    {
        /// <summary>The arguments of each FROM, in order.</summary>
        public IReadOnlyList<string> Stages { get; } =
            instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();

        public static Dockerfile Parse(string name)
        {
            var instructions = new List<(string, string, int)>();
            var stage = -1;
            var pending = "";
            foreach (var raw in File.ReadLines(Path.Combine(Repo.Deploy, name)))
            {
                var line = raw.Trim();
                if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
                {
                    continue;
                }

                if (line.EndsWith('\\'))
                {
                    pending += line[..^1] + " ";
                    continue;
                }

                var instruction = (pending + line).Trim();
                pending = "";
                var space = instruction.IndexOf(' ');
                var keyword = instruction[..space].ToUpperInvariant();
                stage += keyword == "FROM" ? 1 : 0;
                instructions.Add((keyword, instruction[(space + 1)..].Trim(), stage));
            }

            return new Dockerfile(instructions);
        }

        public IEnumerable<string> All(string keyword) =>
            instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

        /// <summary>The instructions of the last stage, the image that ships.</summary>
        public IEnumerable<string> Final(string keyword) =>
            instructions.Where(i => i.Keyword == keyword && i.Stage == Stages.Count - 1).Select(i => i.Arguments);

        public IReadOnlyList<int> ExposedPorts() =>
            Final("EXPOSE").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(port => int.Parse(port.Split('/')[0])).Order().ToList();

        /// <summary>The build-context paths that COPY takes (all but the destination; --from copies excluded).</summary>
        public IReadOnlySet<string> CopiedPaths() =>
            All("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal))
                .SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
                .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Loads YAML files with every document, anchors and merge keys (<c>&lt;&lt;: *x</c>) resolved.</summary>
    private static class Yaml
    {
        public static IReadOnlyList<YamlNode> Load(string path)
        {
            using var reader = File.OpenText(path);
            var stream = new YamlStream();
            stream.Load(new MergingParser(new Parser(reader)));
            return stream.Documents.Select(d => d.RootNode).ToList();
        }

        /// <summary>One document held in a string, such as an inline kustomize patch.</summary>
        public static YamlNode Parse(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Single().RootNode;
        }
    }

    /// <summary>The repository, found by walking up from the test binaries to the folder with OrleansChat.sln.</summary>
    private static class Repo
    {
        public static readonly string Root = RepositoryRoot.Path;
        public static readonly string Deploy = Path.Combine(Root, "deploy");
        public static readonly string K8s = Path.Combine(Deploy, "k8s");

        /// <summary>The files under deploy/, without the AppHost's build outputs.</summary>
        public static IEnumerable<string> DeployFiles() =>
            Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories).Where(path =>
                !Path.GetRelativePath(Deploy, path).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    }
}

/// <summary>Path lookups on YAML nodes that fail with the path in the message rather than a cast exception.</summary>
internal static class YamlNodeExtensions
{
    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out current))
            {
                return null;
            }
        }

        return current;
    }

    public static string Text(this YamlNode node, params string[] path) =>
        node.Find(path) is YamlScalarNode { Value: { } value }
            ? value
            : throw new KeyNotFoundException($"no scalar at {string.Join('.', path)} (line {node.Start.Line})");

    public static IEnumerable<YamlNode> Sequence(this YamlNode node, params string[] path) =>
        node.Find(path) as YamlSequenceNode
            ?? throw new KeyNotFoundException($"no sequence at {string.Join('.', path)} (line {node.Start.Line})");
}
