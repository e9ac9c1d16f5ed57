"""Sigil error codes (SPEC.md section 6)."""

#: Codes a verifier answers with, and their HTTP status.
ERROR_STATUS = {
    "signature_missing": 401,
    "signature_header_malformed": 401,
    "unsupported_version": 401,
    "unsupported_algorithm": 401,
    "timestamp_out_of_window": 401,
    "header_not_signed": 401,
    "signed_header_missing": 401,
    "header_value_invalid": 401,
    "method_invalid": 401,
    "target_invalid": 401,
    "signature_in_query": 401,
    "key_unknown": 401,
    "signature_invalid": 401,
    "nonce_replayed": 401,
    "content_digest_mismatch": 401,
    "webhook_header_missing": 401,
    "webhook_header_malformed": 401,
    "insecure_transport": 403,
    "key_scope_denied": 403,
    "body_too_large": 413,
    "body_read_failed": 400,
    "nonce_store_full": 503,
    "nonce_store_unavailable": 503,
    "key_lookup_unavailable": 503,
}

#: Codes raised locally (signer, configuration, tooling), never sent by a verifier.
LOCAL_CODES = frozenset({"invalid_key", "invalid_option", "vector_invalid", "origin_not_allowed",
                         "redirect_cross_origin", "too_many_redirects", "body_unsupported",
                         "response_signature_missing", "response_signature_malformed",
                         "response_status_invalid", "response_signature_invalid"})


class SigilError(Exception):
    """A Sigil failure with a stable ``code``. The message never holds received values."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in ERROR_STATUS and code not in LOCAL_CODES:
            raise ValueError(f"unknown Sigil error code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.status = ERROR_STATUS.get(code)


def public_code(code: str) -> str:
    """The code a verifier puts in a response: key_unknown answers as signature_invalid."""
    return "signature_invalid" if code == "key_unknown" else code
