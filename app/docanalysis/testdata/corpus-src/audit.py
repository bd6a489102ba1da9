#!/usr/bin/env python3
"""Label audit aid: prints, for every source document, each sentence that names
a catalogue standard by a common alias, next to the document's labels, and
flags a slug that is named but labelled absent or labelled but never named.
It is a reviewing aid for people who label, not the analysis engine: its
alias list is rough on purpose (it over-reports, e.g. "TLS" in company names).
Usage: python3 audit.py docs|holdout [FILE-PREFIX]"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build  # noqa: E402

A = {
    "ipv6": r"IPv6|RFC 8200|RIPE-772",
    "dnssec": r"DNSSEC|RFC 4033|RFC 9364|RFC 8624",
    "rpki": r"RPKI|\bROV\b|route origin|\bROAs?\b|RFC 6811|routeherkomst|origen de (las )?rutas",
    "manrs": r"MANRS",
    "source-address-validation": r"BCP ?38|RFC 2827|source address valid|ingress filter|bronadres|dirección de origen|uRPF|anti-?spoof",
    "nts": r"\bNTS\b|Network Time Security|RFC 8915",
    "encrypted-dns": r"\bDoT\b|\bDoH\b|DNS[ -]over|RFC 7858|RFC 8484|versleuteld DNS|DNS cifrado",
    "https": r"HTTPS",
    "hsts": r"HSTS|Strict[ -]Transport|RFC 6797",
    "tls": r"(?<![A-Z-])TLS(?![A-Z-])|Transport Layer|TLS-richtlijn|RFC 8446",
    "pq-key-exchange": r"(?i)post-?quantum|poscuántic|ML-KEM|X25519MLKEM",
    "security-txt": r"security\.txt|RFC 9116",
    "caa": r"\bCAA\b|RFC 8659",
    "csp": r"\bCSP\b|Content-Security-Policy",
    "security-headers": r"(?i)security headers|beveiligingsheaders|cabeceras de seguridad|X-Frame|X-Content-Type|Referrer-Policy",
    "webauthn": r"(?i)WebAuthn|FIDO2|passkey",
    "openid-connect": r"OpenID|OAuth|OIDC|PKCE|RFC 9700",
    "saml": r"SAML",
    "owasp-asvs": r"ASVS|OWASP",
    "spf": r"\bSPF\b|Sender Policy|RFC 7208",
    "dkim": r"DKIM|RFC 6376",
    "dmarc": r"DMARC|RFC 7489",
    "starttls": r"STARTTLS|RFC 3207",
    "dane": r"DANE|TLSA|RFC 7672|RFC 6698",
    "mta-sts": r"MTA-STS|RFC 8461",
    "tls-rpt": r"TLS-RPT|TLS Reporting|RFC 8460",
    "smime": r"S/MIME|RFC 8551",
    "iso-27001": r"27001", "iso-27002": r"27002", "iso-27701": r"27701",
    "iso-27017": r"27017", "iso-27018": r"27018", "iso-29100": r"29100",
    "en-303645-*": r"303 ?645",
    "cra-*": r"Cyber Resilience|\bCRA\b|\bRCR\b|2024/2847|SBOM|CycloneDX|SPDX|30111|29147",
    "nistir-8259a": r"8259",
    "pq-ssh-key-exchange": r"sntrup|mlkem768x25519|SSH",
    "pq-migration-roadmap": r"(?i)roadmap|migratieplan|hoja de ruta",
    "pq-maturity-level": r"PQCMM|Maturity Model",
}


def sentences(doc):
    for kind, payload in doc:
        if kind == "table":
            for r in payload:
                yield " | ".join(r)
        elif kind == "ul":
            yield from payload
        elif kind != "break":
            yield from re.split(r"(?<=[.;:])\s+", payload)


def main():
    src = sys.argv[1]
    prefix = sys.argv[2] if len(sys.argv) > 2 else ""
    for name in sorted(os.listdir(src)):
        if not name.endswith(".txt") or not name.startswith(prefix):
            continue
        meta, doc = build.parse(os.path.join(src, name))
        doc = list(doc) + [("p", meta.get("header", "")), ("p", meta.get("footer", ""))]
        req = set(build.split_list(meta.get("requested")))
        men = set(build.split_list(meta.get("mentioned")))
        print(f"==== {meta['file']}  requested={sorted(req)} mentioned={sorted(men)}")
        found = set()
        for s in sentences(doc):
            hits = [k for k, rx in A.items() if re.search(rx, s)]
            if hits:
                found |= set(hits)
                print(f"  [{', '.join(hits)}] {s[:230]}")
        labelled = req | men
        for k in sorted(found):
            if "*" in k:
                pre = k[:-1]
                if not any(x.startswith(pre) for x in labelled):
                    print(f"  !! {k} named but no such slug labelled")
            elif k not in labelled:
                print(f"  !! {k} named but labelled absent")
        for k in sorted(labelled):
            if k not in found and not any("*" in f and k.startswith(f[:-1]) for f in found):
                print(f"  !! {k} labelled but never matched by an alias")


if __name__ == "__main__":
    main()
