from __future__ import annotations

from pathlib import Path
from typing import Optional


class ToolforgeKubernetesConfigError(Exception):
    pass


class Kubeconfig:
    """Holds what components/client.py passes; the paths are never read here."""

    def __init__(
        self,
        *,
        current_namespace: str = "",
        current_server: str = "",
        client_cert_file: Optional[Path] = None,
        client_key_file: Optional[Path] = None,
        ca_file: Optional[Path] = None,
        token: Optional[str] = None,
        **_other: object,
    ) -> None:
        self.current_namespace = current_namespace
        self.current_server = current_server
        self.client_cert_file = client_cert_file
        self.client_key_file = client_key_file
        self.ca_file = ca_file
        self.token = token

    @classmethod
    def load(cls, *_args: object, **_kwargs: object) -> "Kubeconfig":
        return cls(current_namespace="components-api")
