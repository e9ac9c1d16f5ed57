"""The Sigil error codes the RFC 9421 profile returns (see core's errors.ts)."""


class Rfc9421Error(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code if not detail else code + ": " + detail)
        self.code = code
