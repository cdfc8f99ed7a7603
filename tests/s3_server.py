"""A real S3 server on 127.0.0.1 for the tests (moto's server mode), and what the tests ask of it.

The fixtures in tests/conftest.py start it once per session (`s3_server`) and point the site's storages
at it with the project's own settings, as AWS_STORAGE_BUCKET_NAME sets them up (`s3_media`).
"""

import json
import logging
import socket
import urllib.request

import boto3
from moto.server import ThreadedMotoServer

MEDIA_BUCKET = "reviewblog-media"
PRIVATE_BUCKET = "reviewblog-private"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def public_read(bucket: str) -> dict:
    """The bucket policy README's recipe gives the media bucket: anyone may read its objects."""
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    return {"Version": "2012-10-17", "Statement": [statement]}


class S3Server:
    def __init__(self):
        self.port = free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def start(self):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        self._server.start()
        return self

    def stop(self):
        self._server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )

    def empty_buckets(self) -> None:
        """Forget everything stored, and make the two buckets afresh: anyone may read the media bucket, as
        README's recipe sets it up; only its keys reach the private one."""
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")).close()
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            self.client.create_bucket(Bucket=bucket)
        self.client.put_bucket_policy(Bucket=MEDIA_BUCKET, Policy=json.dumps(public_read(MEDIA_BUCKET)))

    def stored(self, bucket: str = MEDIA_BUCKET, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def get(self, url: str) -> bytes:
        """What a browser gets at `url`, with no credentials."""
        with urllib.request.urlopen(url) as response:
            return response.read()
