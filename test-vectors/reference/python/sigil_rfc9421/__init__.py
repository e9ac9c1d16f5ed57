"""Sigil's RFC 9421 (HTTP Message Signatures) profile in Python, standard
library only: the reference the shared vectors test-vectors/rfc9421-*.json
are checked against, beside the TypeScript implementation."""
from .errors import Rfc9421Error
from .message import Request, check_content_digest, content_digest, signature_base
from .verify import verify

__all__ = ["Rfc9421Error", "Request", "check_content_digest", "content_digest", "signature_base", "verify"]
