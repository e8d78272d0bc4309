// A Kubernetes API server for kubectl, on 127.0.0.1, that knows only the resources it is
// given: enough discovery for kubectl to find them (the legacy, non-aggregated form, which
// kubectl falls back to), and GET of one object or a list. Read-only; no authentication.
import http from "node:http";

// resources: [{group, version, kind, plural, objects: [object with metadata.namespace/name]}]
export async function startFakeKubeApi(resources) {
  const requests = [];
  const json = (res, code, body) => {
    res.writeHead(code, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const groups = [...new Set(resources.map((r) => `${r.group}/${r.version}`))];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    requests.push(`${req.method} ${url.pathname}`);
    const p = url.pathname;
    if (p === "/api") return json(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    if (p === "/api/v1") return json(res, 200, { kind: "APIResourceList", groupVersion: "v1", resources: [] });
    if (p === "/apis") {
      return json(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups: groups.map((gv) => {
        const [name, version] = gv.split("/");
        const v = { groupVersion: gv, version };
        return { name, versions: [v], preferredVersion: v };
      }) });
    }
    for (const gv of groups) {
      if (p === `/apis/${gv}`) {
        return json(res, 200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv,
          resources: resources.filter((r) => `${r.group}/${r.version}` === gv).map((r) => ({
            name: r.plural, singularName: r.kind.toLowerCase(), namespaced: true, kind: r.kind, verbs: ["get", "list"],
          })) });
      }
    }
    for (const r of resources) {
      const gv = `${r.group}/${r.version}`;
      const typed = (o) => ({ apiVersion: gv, kind: r.kind, ...o });
      const one = new RegExp(`^/apis/${gv}/namespaces/([^/]+)/${r.plural}/([^/]+)$`).exec(p);
      if (one) {
        const o = r.objects.find((x) => x.metadata.namespace === one[1] && x.metadata.name === one[2]);
        if (o) return json(res, 200, typed(o));
        return json(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404,
          message: `${r.plural}.${r.group} "${one[2]}" not found`, details: { name: one[2], group: r.group, kind: r.plural } });
      }
      const list = new RegExp(`^/apis/${gv}(?:/namespaces/([^/]+))?/${r.plural}$`).exec(p);
      if (list) {
        const items = r.objects.filter((x) => !list[1] || x.metadata.namespace === list[1]);
        return json(res, 200, { apiVersion: gv, kind: `${r.kind}List`, metadata: { resourceVersion: "1" }, items: items.map(typed) });
      }
    }
    json(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
