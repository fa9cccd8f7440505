#!/usr/bin/env python3
"""mock.py - the providers STRATO talks to, on loopback, for the tests.

Speaks the request and response shapes of ManyChat, UChat, the WhatsApp
Cloud API and ElevenLabs (see PROVIDERS.md) for the calls STRATO makes:
it checks the auth header and the required fields as the real services do
and answers with their real error shapes. One server serves all four; the
paths do not collide (ManyChat /fb/..., UChat /subscriber/... and /flow/...,
WhatsApp /vNN.0/..., ElevenLabs /v1/...).

  mock.py [--port N] [--port-file PATH] [--token PROVIDER=VALUE ...]

Port 0 (the default) picks a free one; it is printed and written to
--port-file. With --token, only that credential is accepted for the
provider; without, any well-formed one is.

Control endpoints (not recorded):
  GET  /__requests   every request so far, as a JSON array
  POST /__reset      forget requests, faults and contacts
  POST /__fault      {"path", "method", "status", "retry_after", "delay_ms",
                      "reset", "malformed", "body", "count"}: the next
                      `count` (default 1) requests to path answer so
  POST /__token      {"provider": "manychat", "token": "..."}
"""
import argparse
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
REQUESTS = []
FAULTS = []
TOKENS = {}
CONTACTS = {"manychat": {}, "uchat": {}}
COUNTER = [900000000]


def next_id():
    with LOCK:
        COUNTER[0] += 1
        return COUNTER[0]


class Reply(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def need(cond, status, body):
    if not cond:
        raise Reply(status, body)


def bearer(h, provider, check=None):
    auth = h.headers.get("Authorization", "")
    tok = auth[7:] if auth.startswith("Bearer ") else None
    want = TOKENS.get(provider)
    ok = tok and (tok == want if want else (check(tok) if check else True))
    return ok


# ---- ManyChat ------------------------------------------------------------

def mc_error(status, message, code=None):
    body = {"status": "error", "message": message}
    if code is None:
        body["details"] = {"messages": [{"message": message}]}
    else:
        body["code"] = code
    return Reply(status, body)


def mc_subscriber(sid, phone, first, last):
    return {"id": str(sid), "page_id": "1000001", "first_name": first,
            "last_name": last, "name": ("%s %s" % (first or "", last or "")).strip(),
            "gender": None, "phone": phone, "whatsapp_phone": phone,
            "optin_phone": True, "optin_whatsapp": True, "email": None,
            "subscribed": "2026-01-02T10:00:00+00:00", "custom_fields": [],
            "tags": []}


def manychat(h, method, path, q, body):
    if not bearer(h, "manychat", lambda t: ":" in t and t.split(":")[0].isdigit()):
        raise mc_error(401, "Wrong format token")
    if path == "/fb/page/getInfo" and method == "GET":
        return 200, {"status": "success", "data": {
            "id": 1000001, "name": "Inmobiliaria Sur", "category": "Real Estate",
            "avatar_link": None, "username": "inmosur", "about": "",
            "description": "", "is_pro": True, "timezone": "America/Argentina/Buenos_Aires"}}
    if path == "/fb/subscriber/findBySystemField" and method == "GET":
        keys = [k for k in ("email", "phone") if k in q]
        if len(keys) != 1:
            raise mc_error(400, "Validation error")
        phone = q.get("phone", [None])[0]
        sub = CONTACTS["manychat"].get(phone)
        return 200, {"status": "success", "data": sub}
    if path == "/fb/subscriber/createSubscriber" and method == "POST":
        need(isinstance(body, dict), 400, mc_error(400, "Validation error").body)
        phone = body.get("phone") or body.get("whatsapp_phone")
        if not (phone or body.get("email")):
            raise mc_error(400, "Validation error")
        if body.get("phone") and "has_opt_in_sms" not in body:
            raise mc_error(400, "Validation error")
        if body.get("has_opt_in_sms") and not body.get("consent_phrase"):
            raise mc_error(400, "Validation error")
        if phone in CONTACTS["manychat"]:
            raise mc_error(400, "Subscriber with this phone already exists")
        sub = mc_subscriber(next_id(), phone, body.get("first_name"),
                            body.get("last_name"))
        CONTACTS["manychat"][phone] = sub
        return 200, {"status": "success", "data": sub}
    if path == "/fb/sending/sendContent" and method == "POST":
        if not isinstance(body, dict) or "subscriber_id" not in body \
                or not isinstance(body.get("data"), dict):
            raise mc_error(400, "Validation error")
        d = body["data"]
        msgs = (d.get("content") or {}).get("messages")
        if d.get("version") != "v2" or not isinstance(msgs, list) or not msgs:
            raise mc_error(400, "Validation error")
        known = {s["id"] for s in CONTACTS["manychat"].values()}
        if str(body["subscriber_id"]) not in known:
            raise mc_error(400, "Subscriber does not exist")
        return 200, {"status": "success"}
    raise mc_error(404, "Not found")


# ---- UChat ---------------------------------------------------------------

def uc_invalid(field):
    return Reply(422, {"message": "The given data was invalid.",
                       "errors": {field: ["The %s field is required." % field.replace("_", " ")]}})


def uchat(h, method, path, q, body):
    if not bearer(h, "uchat"):
        raise Reply(401, {"message": "Unauthenticated."})
    if path == "/flow/tags" and method == "GET":
        return 200, {"status": "ok", "data": [{"tag_ns": "f1t1", "name": "lead"}],
                     "meta": {"current_page": 1, "per_page": 10, "total": 1}}
    if path == "/subscriber/get-info-by-user-id" and method == "GET":
        uid = q.get("user_id", [None])[0]
        if not uid:
            raise uc_invalid("user_id")
        sub = CONTACTS["uchat"].get(uid.lstrip("+"))
        if not sub:
            raise Reply(404, {"status": "error", "message": "Subscriber not found"})
        return 200, {"status": "ok", "data": sub}
    if path == "/subscriber/create" and method == "POST":
        if not isinstance(body, dict) or not body.get("phone"):
            raise uc_invalid("phone")
        uid = str(body["phone"]).lstrip("+")
        sub = {"user_ns": "f1u%d" % next_id(), "user_id": uid,
               "first_name": body.get("first_name"), "phone": body["phone"]}
        CONTACTS["uchat"][uid] = sub
        return 200, {"status": "ok", "data": sub}
    if path == "/subscriber/send-text" and method == "POST":
        if not isinstance(body, dict) or not body.get("user_ns"):
            raise uc_invalid("user_ns")
        if not body.get("text"):
            raise uc_invalid("text")
        return 200, {"status": "ok"}
    raise Reply(404, {"message": "Not Found"})


# ---- WhatsApp Cloud API --------------------------------------------------

def wa_error(status, code, message, typ="OAuthException", details=None):
    e = {"message": message, "type": typ, "code": code,
         "fbtrace_id": "AmockTrace%d" % next_id()}
    if details:
        e["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Reply(status, {"error": e})


def whatsapp(h, method, path, q, body):
    parts = path.strip("/").split("/")
    if not bearer(h, "whatsapp"):
        raise wa_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    if len(parts) == 2 and method == "GET":
        return 200, {"verified_name": "Inmobiliaria Sur", "code_verification_status": "VERIFIED",
                     "display_phone_number": "+54 11 5555-0000", "quality_rating": "GREEN",
                     "platform_type": "CLOUD_API", "id": parts[1]}
    if len(parts) == 3 and parts[2] == "messages" and method == "POST":
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            raise wa_error(400, 100, "(#100) The parameter messaging_product is required.")
        if not body.get("to"):
            raise wa_error(400, 100, "(#100) The parameter to is required.")
        typ = body.get("type", "text")
        obj = body.get(typ)
        if typ == "text" and not (isinstance(obj, dict) and obj.get("body")):
            raise wa_error(400, 100, "(#100) The parameter text['body'] is required.")
        if typ == "template" and not (isinstance(obj, dict) and obj.get("name")
                                      and isinstance(obj.get("language"), dict)
                                      and obj["language"].get("code")):
            raise wa_error(400, 100, "(#100) The parameter template['name'] is required.")
        to = str(body["to"])
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                     "messages": [{"id": "wamid.MOCK%d" % next_id(),
                                   "message_status": "accepted"}]}
    raise wa_error(400, 100, "Unsupported request - method type: %s" % method.lower(),
                   typ="GraphMethodException")


# ---- ElevenLabs ----------------------------------------------------------

def elevenlabs(h, method, path, q, body):
    key = h.headers.get("xi-api-key")
    want = TOKENS.get("elevenlabs")
    if not key or (want and key != want):
        raise Reply(401, {"detail": {"status": "invalid_api_key",
                                     "message": "Invalid API key"}})
    if path == "/v1/user/subscription" and method == "GET":
        return 200, {"tier": "starter", "character_count": 1234,
                     "character_limit": 30000, "can_extend_character_limit": False,
                     "next_character_count_reset_unix": 1767225600,
                     "voice_limit": 10, "professional_voice_limit": 0,
                     "status": "active", "billing_period": "monthly_period",
                     "character_refresh_period": "monthly_period", "currency": "usd"}
    if path == "/v1/voices" and method == "GET":
        return 200, {"voices": [{"voice_id": "VoiceSofia01", "name": "Sofía",
                                 "category": "premade"},
                                {"voice_id": "VoiceMateo02", "name": "Mateo",
                                 "category": "premade"}]}
    if path.startswith("/v1/text-to-speech/") and method == "POST":
        voice = path.split("/")[3]
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise Reply(422, {"detail": [{"type": "missing", "loc": ["body", "text"],
                                          "msg": "Field required", "input": body}]})
        vs = body.get("voice_settings") or {}
        for k, v in vs.items():
            if v is None:
                raise Reply(422, {"detail": [{"type": "float_type",
                                              "loc": ["body", "voice_settings", k],
                                              "msg": "Input should be a valid number",
                                              "input": None}]})
        if voice not in ("VoiceSofia01", "VoiceMateo02"):
            raise Reply(404, {"detail": {"status": "voice_not_found",
                                         "message": "A voice with the voice_id %s was not found." % voice}})
        audio = b"ID3\x04\x00\x00\x00\x00\x00\x00" + body["text"].encode()[:64]
        return 200, ("audio/mpeg", audio)
    raise Reply(404, {"detail": "Not Found"})


def route(path):
    if path.startswith("/fb/"):
        return manychat
    if path.startswith("/subscriber/") or path.startswith("/flow/"):
        return uchat
    if path.startswith("/v1/"):
        return elevenlabs
    if len(path) > 2 and path[1] == "v" and path[2].isdigit():
        return whatsapp
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-provider"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, headers=None, ctype="application/json"):
        if isinstance(body, tuple):
            ctype, data = body
        elif isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        else:
            data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def control(self, method, path, raw):
        if path == "/__requests" and method == "GET":
            with LOCK:
                return self.send(200, list(REQUESTS))
        if path == "/__reset" and method == "POST":
            with LOCK:
                REQUESTS.clear()
                FAULTS.clear()
                for c in CONTACTS.values():
                    c.clear()
            return self.send(200, {"ok": True})
        if path == "/__fault" and method == "POST":
            f = json.loads(raw or b"{}")
            f.setdefault("count", 1)
            with LOCK:
                FAULTS.append(f)
            return self.send(200, {"ok": True})
        if path == "/__token" and method == "POST":
            t = json.loads(raw or b"{}")
            TOKENS[t["provider"]] = t["token"]
            return self.send(200, {"ok": True})
        return self.send(404, {"error": "no such control endpoint"})

    def take_fault(self, method, path):
        with LOCK:
            for f in FAULTS:
                if f.get("path") == path and f.get("method", method) == method \
                        and f["count"] > 0:
                    f["count"] -= 1
                    return dict(f)
        return None

    def handle_any(self, method):
        u = urlsplit(self.path)
        raw = self.read_body()
        if u.path.startswith("/__"):
            return self.control(method, u.path, raw)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ValueError
        with LOCK:
            REQUESTS.append({"method": method, "path": u.path, "query": u.query,
                             "headers": dict(self.headers.items()),
                             "body": raw.decode("utf-8", "replace"),
                             "json": None if body is ValueError else body})
        fault = self.take_fault(method, u.path)
        if fault and fault.get("delay_ms"):
            time.sleep(fault["delay_ms"] / 1000.0)
        if fault and fault.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if fault and fault.get("malformed"):
            return self.send(fault.get("status", 200), b'{"status": "succ',)
        if fault and "status" in fault:
            hdrs = {}
            if "retry_after" in fault:
                hdrs["Retry-After"] = str(fault["retry_after"])
            return self.send(fault["status"], fault.get("body", {"error": "injected"}), hdrs)
        handler = route(u.path)
        try:
            if handler is None:
                raise Reply(404, {"error": "unknown path"})
            if body is ValueError:
                raise Reply(400, {"error": "body is not JSON"})
            status, out = handler(self, method, u.path, parse_qs(u.query), body)
            self.send(status, out)
        except Reply as r:
            self.send(r.status, r.body, r.headers)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--token", action="append", default=[])
    a = ap.parse_args()
    for t in a.token:
        p, _, v = t.partition("=")
        TOKENS[p.lower()] = v
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        import os
        os.rename(a.port_file + ".tmp", a.port_file)
    print("port %d" % port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
