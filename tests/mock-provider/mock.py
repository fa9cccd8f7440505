#!/usr/bin/env python3
"""mock.py - the providers STRATO talks to, on loopback, for the tests.

Speaks the request and response shapes of ManyChat, UChat, the WhatsApp
Cloud API and ElevenLabs (see PROVIDERS.md) for the calls STRATO makes:
it checks the auth header and the required fields as the real services do
and answers with their real error shapes. One server serves all four; the
paths do not collide (ManyChat /fb/..., UChat /subscriber/... and /flow/...,
WhatsApp /vNN.0/..., ElevenLabs /v1/...).

  mock.py [--port N] [--port-file PATH] [--token PROVIDER=VALUE ...]
          [--latency-ms N] [--max-recorded N]

Port 0 (the default) picks a free one; it is printed and written to
--port-file. With --token, only that credential is accepted for the
provider; without, any well-formed one is. --latency-ms delays every
provider reply (not the control endpoints) by N ms. --max-recorded keeps
only the last N requests (for long benchmarks; default: all).

The server speaks HTTP/1.1 with keep-alive (every reply has its
Content-Length) and TCP_NODELAY, one thread per connection.

Control endpoints (not recorded):
  GET  /__requests   every request so far, as a JSON array (a multipart
                     body is also decoded under "form")
  POST /__reset      forget requests, faults, contacts, media and webhooks;
                     the latency goes back to --latency-ms
  POST /__fault      {"path", "method", "status", "retry_after", "delay_ms",
                      "reset", "malformed", "body", "count", "async_fail"}:
                      the next `count` (default 1) requests to path answer
                      so. "async_fail": CODE on a WhatsApp .../messages path
                      accepts the send (200 and a wamid) and queues the
                      status webhook that says it failed with CODE
  GET  /__webhooks   the queued webhook bodies, one raw JSON body a line
                     (JSON lines), then forgets them
  POST /__latency    {"ms": N}: the delay of every provider reply
  POST /__token      {"provider": "manychat", "token": "..."}
"""
import argparse
import collections
import email.parser
import email.policy
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
REQUESTS = collections.deque()
FAULTS = []
TOKENS = {}
CONTACTS = {"manychat": {}, "uchat": {}}
MEDIA = {}
WEBHOOKS = []
LATENCY = {"ms": 0, "default": 0}
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

def mc_error(status, message, code=None, detail=None):
    body = {"status": "error", "message": message}
    if code is None:
        body["details"] = {"messages": [{"message": detail or message}]}
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
        if len(msgs) > 10:
            raise mc_error(400, "Validation error", detail="Too many messages")
        for i, m in enumerate(msgs):
            bad = block_message_error(m, i)
            if bad:
                raise mc_error(400, "Validation error", detail=bad)
        mc_sub(body)
        return 200, {"status": "success"}
    if path in ("/fb/subscriber/setCustomFieldByName", "/fb/subscriber/addTagByName",
                "/fb/subscriber/removeTagByName") and method == "POST":
        key = "field_name" if "Field" in path else "tag_name"
        if not isinstance(body, dict) or "subscriber_id" not in body \
                or not isinstance(body.get(key), str) or not body[key] \
                or (key == "field_name" and "field_value" not in body):
            raise mc_error(400, "Validation error")
        sub = mc_sub(body)
        if key == "field_name":
            sub["custom_fields"] = [f for f in sub["custom_fields"]
                                    if f["name"].lower() != body[key].lower()]
            sub["custom_fields"].append({"name": body[key], "type": "text",
                                         "value": body["field_value"]})
        elif path.endswith("addTagByName"):
            if body[key] not in [t["name"] for t in sub["tags"]]:
                sub["tags"].append({"id": next_id(), "name": body[key]})
        else:
            sub["tags"] = [t for t in sub["tags"] if t["name"] != body[key]]
        return 200, {"status": "success"}
    raise mc_error(404, "Not found")


def mc_sub(body):
    for sub in CONTACTS["manychat"].values():
        if sub["id"] == str(body["subscriber_id"]):
            return sub
    raise mc_error(400, "Subscriber does not exist")


def block_message_error(m, i):
    """What is wrong with a Dynamic Block message, or None."""
    if not isinstance(m, dict):
        return "messages.%d must be an object" % i
    t = m.get("type")
    if t == "text":
        return None if isinstance(m.get("text"), str) and m["text"] \
            else "messages.%d.text is required" % i
    if t in ("image", "audio", "video", "file"):
        u = m.get("url")
        return None if isinstance(u, str) and u.startswith(("http://", "https://")) \
            else "messages.%d.url must be a valid URL" % i
    if t in ("cards", "list"):
        return None
    return "messages.%d.type is invalid" % i


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
    if path == "/subscriber/send-content" and method == "POST":
        if not isinstance(body, dict) or not body.get("user_ns"):
            raise uc_invalid("user_ns")
        d = body.get("data")
        if not isinstance(d, dict):
            raise uc_invalid("data")
        if d.get("version") != "v1":
            raise Reply(422, {"message": "The given data was invalid.",
                              "errors": {"data.version": ["The selected data.version is invalid."]}})
        msgs = (d.get("content") or {}).get("messages")
        if not isinstance(msgs, list) or not msgs:
            raise uc_invalid("data.content.messages")
        for i, m in enumerate(msgs):
            bad = block_message_error(m, i)
            if bad:
                raise Reply(422, {"message": "The given data was invalid.",
                                  "errors": {"data.content.messages.%d" % i: [bad]}})
        return 200, {"status": "ok"}
    if path == "/subscriber/set-user-field-by-name":
        if method != "PUT":
            raise Reply(405, {"message": "The %s method is not supported for this route. "
                                         "Supported methods: PUT." % method})
        for f in ("user_ns", "field_name"):
            if not isinstance(body, dict) or not body.get(f):
                raise uc_invalid(f)
        if "value" not in body:
            raise uc_invalid("value")
        return 200, {"status": "ok"}
    if path in ("/subscriber/add-tag-by-name", "/subscriber/remove-tag-by-name") \
            and method == "POST":
        for f in ("user_ns", "tag_name"):
            if not isinstance(body, dict) or not body.get(f):
                raise uc_invalid(f)
        return 200, {"status": "ok"}
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
        if typ in ("image", "audio", "video", "document"):
            wa_check_media(typ, obj)
        elif typ not in ("text", "template"):
            raise wa_error(400, 100, "(#100) Param type must be one of {AUDIO, CONTACTS, "
                           "DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, "
                           "TEMPLATE, TEXT, VIDEO}", details="Invalid parameter")
        to = str(body["to"])
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                     "messages": [{"id": "wamid.MOCK%d" % next_id(),
                                   "message_status": "accepted"}]}
    if len(parts) == 3 and parts[2] == "media" and method == "POST":
        return 200, wa_upload(h, h.form)
    raise wa_error(400, 100, "Unsupported request - method type: %s" % method.lower(),
                   typ="GraphMethodException")


WA_MIME = {
    "audio": ("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"),
    "image": ("image/jpeg", "image/png"),
    "video": ("video/mp4", "video/3gpp"),
    "document": ("text/plain", "application/pdf", "application/vnd.ms-powerpoint",
                 "application/msword", "application/vnd.ms-excel",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def wa_check_media(typ, obj):
    """A media object: exactly one of link and id; no caption on audio."""
    if not isinstance(obj, dict):
        raise wa_error(400, 100, "(#100) The parameter %s is required." % typ)
    if ("link" in obj) == ("id" in obj):
        raise wa_error(400, 100, "(#100) Invalid parameter",
                       details="Param %s must contain either id or link" % typ)
    if "link" in obj and not str(obj["link"]).startswith(("http://", "https://")):
        raise wa_error(400, 100, "(#100) Invalid parameter",
                       details="Param %s['link'] is not a valid URI" % typ)
    extra = set(obj) - {"link", "id", "caption", "filename", "voice"}
    if typ == "audio" and "caption" in obj:
        extra.add("caption")
    if typ != "document" and "filename" in obj:
        extra.add("filename")
    if extra:
        raise wa_error(400, 100, "(#100) Invalid parameter",
                       details="Param %s['%s'] is not a valid parameter" % (typ, sorted(extra)[0]))


def wa_upload(h, form):
    """POST /{phone-number-id}/media, multipart/form-data."""
    if form is None:
        raise wa_error(400, 100, "(#100) The parameter messaging_product is required.")
    if form.get("messaging_product") != "whatsapp":
        raise wa_error(400, 100, "(#100) The parameter messaging_product is required.")
    f = form.get("file")
    if not isinstance(f, dict):
        raise wa_error(400, 100, "(#100) The parameter file is required.")
    mime = form.get("type") if isinstance(form.get("type"), str) else f.get("content_type")
    mime = (mime or "").split(";")[0].strip().lower()
    if not any(mime in v for v in WA_MIME.values()):
        raise wa_error(400, 131053, "(#131053) Media upload error", details=
                       "Unsupported file type %s. Supported: audio/ogg; codecs=opus, "
                       "audio/mpeg, audio/amr, audio/mp4, audio/aac" % mime)
    mid = str(next_id() + 1000000000000000)
    with LOCK:
        MEDIA[mid] = {"mime": mime, "size": f["size"]}
    return {"id": mid}


def wa_failed_status(wamid, phone_number_id, to, code):
    """The status webhook of a send that failed after it was accepted."""
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "5491150000000",
                         "phone_number_id": phone_number_id},
            "statuses": [{"id": wamid, "status": "failed",
                          "timestamp": str(int(time.time())),
                          "recipient_id": to.lstrip("+"),
                          "errors": [{"code": code, "title": WA_TITLES.get(code, "Failure"),
                                      "message": WA_TITLES.get(code, "Failure"),
                                      "error_data": {"details": WA_TITLES.get(code, "Failure")},
                                      "href": "https://developers.facebook.com/docs/whatsapp/"
                                              "cloud-api/support/error-codes/"}]}]}}]}]}


WA_TITLES = {131026: "Message undeliverable", 131047: "Re-engagement message",
             131053: "Media upload error", 131049: "This message was not delivered "
             "to maintain healthy ecosystem engagement."}


def parse_form(ctype, raw):
    """A multipart/form-data body: {name: text, or {filename, content_type, size}}."""
    if not ctype.lower().startswith("multipart/form-data"):
        return None
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
    if not msg.is_multipart():
        return None
    form = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_param("filename", header="content-disposition") is not None:
            form[name] = {"filename": part.get_param("filename", header="content-disposition"),
                          "content_type": part.get_content_type()
                          if part.get("Content-Type") else None,
                          "size": len(data)}
        else:
            form[name] = data.decode("utf-8", "replace")
    return form


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
    protocol_version = "HTTP/1.1"  # keep-alive: every reply has a Content-Length
    server_version = "mock-provider"
    disable_nagle_algorithm = True  # no 40 ms stalls between header and body

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
                MEDIA.clear()
                del WEBHOOKS[:]
                LATENCY["ms"] = LATENCY["default"]
                COUNTER[0] = 900000000
                for c in CONTACTS.values():
                    c.clear()
            return self.send(200, {"ok": True})
        if path == "/__webhooks" and method == "GET":
            with LOCK:
                lines = "".join(w + "\n" for w in WEBHOOKS)
                del WEBHOOKS[:]
            return self.send(200, lines.encode(), ctype="application/x-ndjson")
        if path == "/__latency" and method == "POST":
            LATENCY["ms"] = max(0, int(json.loads(raw or b"{}").get("ms", 0)))
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
        self.form = None
        ctype = self.headers.get("Content-Type") or ""
        if ctype.lower().startswith("multipart/"):
            try:
                self.form = parse_form(ctype, raw)
            except Exception:  # a broken body is the client's to see
                self.form = None
            body = None
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = ValueError
        rec = {"method": method, "path": u.path, "query": u.query,
               "at": time.time(),
               "headers": dict(self.headers.items()),
               "body": raw.decode("utf-8", "replace"),
               "json": None if body is ValueError else body}
        if self.form is not None:
            rec["form"] = self.form
        with LOCK:
            REQUESTS.append(rec)
        if LATENCY["ms"]:
            time.sleep(LATENCY["ms"] / 1000.0)
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
            if fault and fault.get("async_fail") and status == 200 \
                    and isinstance(out, dict) and out.get("messages"):
                hook = wa_failed_status(out["messages"][0]["id"], u.path.split("/")[2],
                                        str(body.get("to", "")), int(fault["async_fail"]))
                with LOCK:
                    WEBHOOKS.append(json.dumps(hook, separators=(",", ":")))
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
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--max-recorded", type=int, default=0)
    a = ap.parse_args()
    global REQUESTS
    if a.max_recorded > 0:
        REQUESTS = collections.deque(maxlen=a.max_recorded)
    LATENCY["ms"] = LATENCY["default"] = max(0, a.latency_ms)
    for t in a.token:
        p, _, v = t.partition("=")
        TOKENS[p.lower()] = v
    ThreadingHTTPServer.request_queue_size = 128  # 32+ connections at once
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
