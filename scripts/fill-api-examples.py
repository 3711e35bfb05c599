#!/usr/bin/env python3
"""Fills the empty answer blocks of docs/api.md with what the server answers (a tool for writing
the docs; tests/adapters/test_api_docs.cpp checks the page). Starts `casetrail serve --demo` on a
fresh data directory with a token per demo user, sends every ```http block in the page's order,
and writes each answer into its ```json / ```sse block if that block is empty. Hand-edit the
filled blocks afterwards: replace times, hashes and long lists with "...".

    scripts/fill-api-examples.py [BUILD_DIR]
"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build")
binary = os.path.join(build, "casetrail")
users = [("sw.jones", "social_worker", "north-1"), ("tm.khan", "team_manager", "north-1"),
         ("cass.adams", "cass_worker", "north-1"), ("chair.lee", "cp_chair", "safeguarding"),
         ("legal.ng", "legal", "legal"), ("cpo.brown", "case_progression_officer", "legal"),
         ("audit.reid", "auditor", "audit"), ("relay.svc", "subscriber", "integration"),
         ("ops.admin", "admin", "operations")]

work = tempfile.mkdtemp()
tokens = {}
with open(os.path.join(work, "tokens"), "w") as f:
    for user, role, team in users:
        out = subprocess.check_output([binary, "token", "--user", user, "--role", role, "--team", team], text=True)
        lines = out.splitlines()
        tokens[role] = lines[0].split(": ")[1]
        f.write(lines[2] + "\n")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = subprocess.Popen([binary, "serve", "--data", os.path.join(work, "data"), "--listen", f"127.0.0.1:{port}",
                           "--tokens", os.path.join(work, "tokens"), "--demo"], stdout=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health")
            break
        except Exception:
            time.sleep(0.1)
    page = open(os.path.join(root, "docs/api.md")).read().split("\n")
    out, i, pending = [], 0, None
    while i < len(page):
        line = page[i]
        out.append(line)
        if line == "```http":
            j = i + 1
            while page[j] != "```":
                j += 1
            block = page[i + 1:j]
            out.extend(block + ["```"])
            method, target = block[0].split(" ", 1)
            headers, k = {}, 1
            while k < len(block) and block[k]:
                name, value = block[k].split(": ", 1)
                headers[name] = value
                k += 1
            body = "\n".join(block[k + 1:]).strip()
            auth = headers.get("Authorization", "")
            m = re.match(r"Bearer <(.*)>", auth)
            sse = "subscribe" in target or target.endswith("/events") and "subscriptions" in target
            req = urllib.request.Request(f"http://127.0.0.1:{port}{target}", method=method,
                                         data=body.encode() if body else None)
            if m:
                req.add_header("Authorization", "Bearer " + tokens[m.group(1)])
            if sse:
                r = subprocess.run(["curl", "-sN", "--max-time", "1", "-H", "Authorization: Bearer " + tokens[m.group(1)],
                                    f"http://127.0.0.1:{port}{target}"], capture_output=True, text=True)
                pending = (200, r.stdout, True)
                i = j + 1
                continue
            try:
                resp = urllib.request.urlopen(req, timeout=2)
                status = resp.status
                text = resp.read(1500).decode() if sse else resp.read().decode()
            except urllib.error.HTTPError as e:
                status, text = e.code, e.read().decode()
            except Exception as e:  # an SSE stream that stays open
                status, text = 200, ""
            pending = (status, text, sse)
            i = j + 1
            continue
        if pending and (line == "```json" or line == "```sse") and page[i + 1] == "```":
            status, text, sse = pending
            if sse:
                frames = [f for f in text.split("\n\n") if f.startswith("id:")][:2]
                out.extend("\n\n".join(frames).split("\n"))
            else:
                try:
                    out.append(json.dumps(json.loads(text)))
                except Exception:
                    out.append(text)
            out.append("```")
            i += 2
            print(f"{status} {line}", file=sys.stderr)
            pending = None
            continue
        i += 1
    open(os.path.join(root, "docs/api.md"), "w").write("\n".join(out))
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(work)
