using System.Text.RegularExpressions;
using OrleansChat.Hosting;
using YamlDotNet.RepresentationModel;

namespace OrleansChat.Tests.Unit.Deploy;

/// <summary>
/// The optional Kubernetes parts, each a kustomize component under deploy/k8s: the Gateway API route that replaces the
/// ingress, and the ServiceMonitor that replaces the pods' scrape annotations. Both need CRDs a bare cluster lacks.
/// </summary>
public sealed partial class DeployArtifactsTests
{
    private const string GatewayApi = "gateway-api";
    private const string PrometheusOperator = "prometheus-operator";

    [Fact]
    public void K8s_objects_that_need_crds_are_only_in_components_the_base_does_not_apply()
    {
        var basis = Yaml.Load(Path.Combine(Repo.K8s, "kustomization.yaml")).Single();
        var baseObjects = basis.Sequence("resources").SelectMany(file => Yaml.Load(Path.Combine(Repo.K8s, file.Text()))).ToList();

        Assert.Null(basis.Find("components"));
        Assert.All(baseObjects, o => Assert.DoesNotContain(o.Text("apiVersion").Split('/')[0], CrdGroups));
        foreach (var component in new[] { GatewayApi, PrometheusOperator })
        {
            var kustomization = Yaml.Load(Path.Combine(Repo.K8s, component, "kustomization.yaml")).Single();
            Assert.Equal("Component", kustomization.Text("kind"));
        }

        Assert.Equal("gateway.networking.k8s.io/v1", HttpRoute().Text("apiVersion"));
        Assert.Equal("monitoring.coreos.com/v1", ServiceMonitor().Text("apiVersion"));
    }

    [Fact]
    public void K8s_http_route_sends_every_path_to_the_front_service_with_cookie_affinity_and_no_request_timeout()
    {
        var rule = HttpRoute().Sequence("spec", "rules").Single(r => PathPrefix(r) == "/");
        var backend = rule.Sequence("backendRefs").Single();
        var service = K8sObjects("Service").Single(o => o.Name == backend.Text("name")).Node;
        var port = service.Sequence("spec", "ports").Single(p => p.Text("port") == backend.Text("port"));
        var containerPort = Container("orleans-chat-webfront").Sequence("ports").Single(p => p.Text("name") == port.Text("targetPort"));

        Assert.Equal(ListenPort(ImageCases["webfront"].Project), int.Parse(containerPort.Text("containerPort")));
        Assert.Equal("Cookie", rule.Text("sessionPersistence", "type"));
        Assert.Equal("Session", rule.Text("sessionPersistence", "cookieConfig", "lifetimeType"));
        Assert.Equal("0s", rule.Text("timeouts", "request"));
        Assert.NotEmpty(HttpRoute().Sequence("spec", "parentRefs"));
    }

    /// <summary>What the admin Ingress does with a 403: a rule without a backend makes the Gateway answer 404.</summary>
    [Fact]
    public void K8s_http_route_lets_nothing_under_admin_reach_a_front()
    {
        var admin = HttpRoute().Sequence("spec", "rules").Single(r => PathPrefix(r) == "/admin");

        Assert.Null(admin.Find("backendRefs"));
        Assert.Null(admin.Find("filters"));
        Assert.StartsWith("/admin/", ChatOperationsExtensions.MetricsPath);
    }

    [Fact]
    public void K8s_gateway_api_component_deletes_every_ingress_it_replaces()
    {
        var deleted = ComponentPatches(GatewayApi)
            .Select(p => Yaml.Parse(p.Text("patch")))
            .Where(p => p.Find("$patch")?.Text() == "delete")
            .Select(p => (p.Text("kind"), p.Text("metadata", "name")));

        Assert.Equal(K8sObjects("Ingress").Select(o => (o.Kind, o.Name)).Order(), deleted.Order());
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void K8s_service_monitor_scrapes_the_metrics_path_on_the_management_port_of_every_pod(string name)
    {
        var image = ImageCases[name];
        var podLabels = Deployment(image.ImageName).Find("spec", "template", "metadata", "labels")!;
        var monitor = ServiceMonitor();
        var endpoint = monitor.Sequence("spec", "endpoints").Single();

        var service = Assert.Single(K8sObjects("Service"), s =>
            SelectorMatches(s.Node.Find("spec", "selector")!, podLabels) && ServiceMonitorSelects(monitor, s.Node));
        var port = service.Node.Sequence("spec", "ports").Single(p => p.Text("name") == endpoint.Text("port"));
        var containerPort = Container(image.ImageName).Sequence("ports").Single(p => p.Text("name") == port.Text("targetPort"));

        Assert.Equal(ManagementPort(image.Dockerfile), int.Parse(containerPort.Text("containerPort")));
        Assert.Equal(ChatOperationsExtensions.MetricsPath, endpoint.Text("path"));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void K8s_prometheus_operator_component_removes_every_scrape_annotation_so_nothing_is_scraped_twice(string name)
    {
        var deployment = Deployment(ImageCases[name].ImageName);
        var annotations = ((YamlMappingNode)deployment.Find("spec", "template", "metadata", "annotations")!).Children.Keys
            .Select(k => k.Text()).Where(k => k.StartsWith("prometheus.io/", StringComparison.Ordinal));

        var patch = Assert.Single(ComponentPatches(PrometheusOperator), p =>
            p.Text("target", "kind") == "Deployment"
            && Regex.IsMatch(deployment.Text("metadata", "name"), $"^(?:{p.Text("target", "name")})$"));
        var removed = ((YamlSequenceNode)Yaml.Parse(patch.Text("patch")))
            .Where(op => op.Text("op") == "remove").Select(op => op.Text("path"));

        Assert.Equal(
            annotations.Select(a => "/spec/template/metadata/annotations/" + a.Replace("~", "~0").Replace("/", "~1")).Order(),
            removed.Order());
    }

    private static readonly string[] CrdGroups = ["gateway.networking.k8s.io", "monitoring.coreos.com"];

    private static YamlNode HttpRoute() => K8sObjects("HTTPRoute").Single().Node;

    private static YamlNode ServiceMonitor() => K8sObjects("ServiceMonitor").Single().Node;

    private static string? PathPrefix(YamlNode rule) =>
        rule.Sequence("matches").Select(m => m.Find("path")).SingleOrDefault(p => p?.Text("type") == "PathPrefix")?.Text("value");

    private static IEnumerable<YamlNode> ComponentPatches(string component) =>
        Yaml.Load(Path.Combine(Repo.K8s, component, "kustomization.yaml")).Single().Sequence("patches");

    /// <summary>A Service's selector (a plain map) picks pods with these labels.</summary>
    private static bool SelectorMatches(YamlNode selector, YamlNode labels) =>
        ((YamlMappingNode)selector).Children.All(kv => labels.Find(kv.Key.Text())?.Text() == kv.Value.Text());

    /// <summary>The ServiceMonitor's label selector (matchLabels and In expressions) picks this Service.</summary>
    private static bool ServiceMonitorSelects(YamlNode monitor, YamlNode service)
    {
        var labels = service.Find("metadata", "labels")!;
        var selector = monitor.Find("spec", "selector")!;
        var matchLabels = selector.Find("matchLabels") is { } map && SelectorMatches(map, labels) || selector.Find("matchLabels") is null;
        var expressions = selector.Find("matchExpressions") is YamlSequenceNode list
            ? list.All(e => e.Text("operator") == "In" && e.Sequence("values").Any(v => labels.Find(e.Text("key"))?.Text() == v.Text()))
            : true;
        return matchLabels && expressions;
    }
}
