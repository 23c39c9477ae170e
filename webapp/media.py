"""Where covers and avatars are kept: a folder on local disk, or an S3-compatible bucket.

Local disk (``MEDIA_DIR``, default ``instance/media``) suits one machine with a persistent
disk; a PaaS disk is wiped on every deploy and restart, so there set ``MEDIA_S3_BUCKET`` (and
``MEDIA_S3_ENDPOINT_URL`` for R2, B2, MinIO …; keys in ``MEDIA_S3_ACCESS_KEY_ID`` /
``MEDIA_S3_SECRET_ACCESS_KEY`` or boto3's usual environment). Either way the site serves the
files itself (``/media/…``): a visitor's browser never talks to the bucket, so the
Content-Security-Policy stays ``img-src 'self'`` and the bucket can stay private.

Files are named by a hash of their content and never change, so they are cached for a year.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, current_app

# kind/name of every stored file: covers/<digest>-<size>.jpg, avatars/<digest>-<size>.jpg
KEY = re.compile(r"(covers|avatars)/[0-9a-f]{20}-[a-z]\.jpg")
CONTENT_TYPE = "image/jpeg"


class LocalStore:
    kind = "local disk"

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def describe(self) -> str:
        return f"local disk at {self.root}"


class S3Store:
    kind = "s3"

    def __init__(self, config: dict) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = config["MEDIA_S3_BUCKET"]
        self.prefix = (config.get("MEDIA_S3_PREFIX") or "").strip("/")
        self.endpoint = config.get("MEDIA_S3_ENDPOINT_URL")
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=config.get("MEDIA_S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("MEDIA_S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("MEDIA_S3_SECRET_ACCESS_KEY"),
            config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}),
        )

    def _key(self, key: str) -> str:
        if not KEY.fullmatch(key):
            raise ValueError(f"not a media key: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=CONTENT_TYPE,
            CacheControl="public, max-age=31536000, immutable",
        )

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def describe(self) -> str:
        where = self.endpoint or "AWS"
        return f"S3 bucket {self.bucket} at {where}"

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


def make_store(config: dict) -> LocalStore | S3Store:
    if config.get("MEDIA_S3_BUCKET"):
        return S3Store(config)
    return LocalStore(config["MEDIA_DIR"])


def init_app(app: Flask) -> None:
    app.extensions["media"] = make_store(app.config)


def store() -> LocalStore | S3Store:
    return current_app.extensions["media"]
