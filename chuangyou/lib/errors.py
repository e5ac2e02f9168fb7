"""The one shape of a refused change: every reason, in Chinese, for the page to show."""


class ServiceError(ValueError):
    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("；".join(self.errors))
