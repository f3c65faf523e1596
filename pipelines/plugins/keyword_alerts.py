#!/usr/bin/env python3
"""keyword_alerts: an ingestd exec plugin (protocol plugin/1, docs/plugins.md).

Flags documents that mention a desk's watch list. For each document it writes
extensions.<stage name> = {"matches": [terms found, in watch-list order], "count": N}
(N = occurrences of all terms). Python 3 standard library only.

Pipeline:
  - use: exec
    name: keyword-alerts
    command: [python3, plugins/keyword_alerts.py]
    reads: [title, text]
    writes: [extensions.keyword-alerts]
    options:
      watch: [earthquake, tsunami, "central bank"]
      fields: [title, text]      # default
      case_sensitive: false      # default
      only_matching: false       # true: drop documents that mention nothing

Options are checked at the handshake: a bad watch list makes the daemon refuse to start
with this plugin's message instead of flagging nothing for days.
"""
import json
import re
import sys


def send(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def log(level, message, **fields):
    # stderr lines become daemon log lines; JSON with "level" chooses the level.
    sys.stderr.write(json.dumps(dict(level=level, message=message, **fields)) + "\n")
    sys.stderr.flush()


def configure(options):
    watch = options.get("watch")
    if not isinstance(watch, list) or not watch or not all(isinstance(w, str) and w.strip() for w in watch):
        raise ValueError("options.watch must be a non-empty list of non-empty strings")
    fields = options.get("fields", ["title", "text"])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValueError("options.fields must be a list of field names")
    flags = 0 if options.get("case_sensitive", False) else re.IGNORECASE
    # Whole words only: "war" must not flag "software". One pattern per term keeps the
    # answer in watch-list order and lets each term be counted.
    patterns = [(term, re.compile(r"(?<!\w)" + re.escape(term.strip()) + r"(?!\w)", flags)) for term in watch]
    return patterns, fields, bool(options.get("only_matching", False))


def text_of(document, fields):
    parts = []
    for name in fields:
        value = document
        for key in name.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(v for v in value if isinstance(v, str))
    return "\n".join(parts)


def main():
    first = sys.stdin.readline()
    if not first:
        return 0
    try:
        hello = json.loads(first)
        if hello.get("ingestd") != "plugin/1":
            raise ValueError("unsupported protocol %r (this plugin speaks plugin/1)" % hello.get("ingestd"))
        stage = hello.get("stage") or "keyword-alerts"
        patterns, fields, only_matching = configure(hello.get("options") or {})
    except (ValueError, AttributeError) as error:
        send({"error": str(error)})
        return 1
    key = "extensions." + stage
    send({"ready": True})
    log("info", "watching %d terms" % len(patterns), fields=fields)

    for line in sys.stdin:
        try:
            request = json.loads(line)
            doc_id = request["id"]
        except (ValueError, KeyError, TypeError) as error:
            # Without an id there is no one to answer; say so and keep serving.
            log("error", "unreadable request: %s" % error)
            continue
        try:
            text = text_of(request.get("document") or {}, fields)
            matches, count = [], 0
            for term, pattern in patterns:
                n = len(pattern.findall(text))
                if n:
                    matches.append(term)
                    count += n
            if only_matching and not matches:
                send({"id": doc_id, "drop": "no watched term"})
            else:
                send({"id": doc_id, "set": {key: {"matches": matches, "count": count}}})
        except Exception as error:  # one bad document must not take the others down
            send({"id": doc_id, "reject": "keyword-alerts failed: %s" % error})
    return 0


if __name__ == "__main__":
    sys.exit(main())
