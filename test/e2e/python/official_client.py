"""
Drives kubelite with the official Python client (Debian's python3-kubernetes), as a user of it would, and prints
what it saw as one JSON object for test/e2e/fidelity-clients.test.ts to assert on.

    /usr/bin/python3 official_client.py SERVER CA_FILE TOKEN NAMESPACE EXEC_POD WEB_POD
"""
import json
import sys
import threading
import time

from kubernetes import client, utils, watch
from kubernetes.dynamic import DynamicClient
from kubernetes.stream import portforward, stream

server, ca_file, token, ns, exec_pod, web_pod = sys.argv[1:7]
cfg = client.Configuration()
cfg.host = server
cfg.ssl_ca_cert = ca_file
cfg.api_key = {"authorization": "Bearer " + token}
api = client.ApiClient(cfg)
v1 = client.CoreV1Api(api)
out = {}

# watch.Watch().stream sends watch=True: ADDED, MODIFIED, DELETED of a ConfigMap changed meanwhile.
name = "py-watch"


def writer():
    time.sleep(0.5)
    v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data={"a": "1"}))
    v1.patch_namespaced_config_map(name, ns, {"data": {"a": "2"}})
    v1.delete_namespaced_config_map(name, ns)


rv = v1.list_namespaced_config_map(ns).metadata.resource_version
t = threading.Thread(target=writer)
t.start()
events = []
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, ns, resource_version=rv, field_selector="metadata.name=" + name, timeout_seconds=30):
    events.append([ev["type"], ev["object"].metadata.name, (ev["object"].data or {}).get("a")])
    if ev["type"] == "DELETED":
        w.stop()
t.join()
out["watch"] = events

# exec over WebSocket: the simple form (output returned), then channels and the exit code.
out["exec_simple"] = stream(v1.connect_get_namespaced_pod_exec, exec_pod, ns, command=["echo", "hello from exec"],
                            stderr=True, stdin=False, stdout=True, tty=False)
resp = stream(v1.connect_get_namespaced_pod_exec, exec_pod, ns, command=["sh", "-c", "echo out; echo err >&2; exit 3"],
              stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
resp.run_forever(timeout=30)
out["exec_channels"] = {"stdout": resp.read_stdout(timeout=1), "stderr": resp.read_stderr(timeout=1), "returncode": resp.returncode}
resp.close()

# exec with stdin.
resp = stream(v1.connect_get_namespaced_pod_exec, exec_pod, ns, command=["sh", "-c", "read l; echo got:$l"],
              stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
resp.write_stdin("hi there\n")
got = ""
deadline = time.time() + 30
while resp.is_open() and time.time() < deadline:
    resp.update(timeout=1)
    if resp.peek_stdout():
        got += resp.read_stdout()
out["exec_stdin"] = got
resp.close()

# port-forward: an HTTP request to the web pod's port 80 through the API server.
pf = portforward(v1.connect_get_namespaced_pod_portforward, web_pod, ns, ports="80")
sock = pf.socket(80)
sock.setblocking(True)
sock.settimeout(30)
sock.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
data = b""
while b"</html>" not in data:
    chunk = sock.recv(4096)
    if not chunk:
        break
    data += chunk
sock.close()
out["portforward"] = data.decode(errors="replace").split("\r\n")[0]
out["portforward_title"] = "<title>Welcome to nginx!</title>" in data.decode(errors="replace")

# The dynamic client: discovery, then a typed-by-name resource.
dyn = DynamicClient(api)
pods = dyn.resources.get(api_version="v1", kind="Pod")
out["dynamic_pods"] = sorted(p.metadata.name for p in pods.get(namespace=ns, label_selector="test=fidelity").items)
deps = dyn.resources.get(api_version="apps/v1", kind="Deployment")
out["dynamic_deployments_kind"] = deps.get(namespace=ns).kind

# utils.create_from_dict, as the client's own e2e suite uses it: a second create fails with FailToCreateError, whose
# text is the raw error body (upstream's bytes: Status keys in field order, Go's trailing newline).
dup = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py-dup"}, "data": {"a": "1"}}
utils.create_from_dict(api, dup, namespace=ns)
try:
    utils.create_from_dict(api, dup, namespace=ns)
    out["create_twice"] = "no error"
except utils.FailToCreateError as e:
    out["create_twice"] = str(e)
v1.delete_namespaced_config_map("py-dup", ns)

print(json.dumps(out))
