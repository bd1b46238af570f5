from __future__ import annotations

from typing import Any, Callable, Optional

import requests

from .kubernetes_config import Kubeconfig


class ToolforgeClient:
    def __init__(
        self,
        *,
        server: str,
        kubeconfig: Kubeconfig,
        user_agent: str,
        timeout: int = 20,
        exception_handler: Optional[Callable[[requests.exceptions.HTTPError], Exception]] = None,
        **_other: object,
    ) -> None:
        self.server = server.rstrip("/")
        self.timeout = timeout
        self.exception_handler = exception_handler
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        kwargs.pop("display_messages", None)
        kwargs.pop("verify", None)
        kwargs.setdefault("timeout", self.timeout)
        response = self.session.request(method, f"{self.server}/{url.lstrip('/')}", **kwargs)
        try:
            response.raise_for_status()
        except requests.exceptions.HTTPError as error:
            if self.exception_handler:
                raise self.exception_handler(error) from error
            raise
        return response.json()

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._call("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self._call("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self._call("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self._call("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self._call("DELETE", url, **kwargs)
