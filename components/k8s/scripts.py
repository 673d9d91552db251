"""Small Python programs run inside the engine image (which ships huggingface_hub, boto3 and the GCS client).

Staging copies a pinned hub revision into the bucket file by file, so the pod needs disk for one shard only,
and writes a marker object last: a re-run finds the marker and exits at once. The local cache does the same
into a volume when there is no bucket. Both copy only `file_selection.select_files` of the revision (its source
is embedded, so the tested rule is the one that runs), with the model's `staging.allow`/`deny` patterns from
the environment (JSON lists).
"""

from __future__ import annotations

import inspect
import json

from inferstack.k8s.file_selection import CONSOLIDATED_PATTERN, DUPLICATE_PATTERNS, select_files
from inferstack.spec.models import ModelSpec

MARKER = ".inferstack-complete"
ALLOW_ENV = "STAGE_ALLOW"
DENY_ENV = "STAGE_DENY"


def file_patterns_env(model: ModelSpec) -> dict[str, str]:
    """The model's staging.allow / staging.deny globs as the JSON lists the staging scripts read."""
    return {ALLOW_ENV: json.dumps(list(model.staging.allow)), DENY_ENV: json.dumps(list(model.staging.deny))}


# The selection rule as source, plus reading the patterns; it fails the pod when no weights are left to copy.
_SELECT = f"""\
import json
from collections.abc import Iterable
DUPLICATE_PATTERNS = {DUPLICATE_PATTERNS!r}
CONSOLIDATED_PATTERN = {CONSOLIDATED_PATTERN!r}
{inspect.getsource(select_files)}
def staged(all_files):
    chosen = select_files(all_files, json.loads(os.environ.get("{ALLOW_ENV}", "[]")),
                          json.loads(os.environ.get("{DENY_ENV}", "[]")))
    if not any(name.endswith((".safetensors", ".bin", ".pt", ".pth", ".gguf")) for name in chosen):
        sys.exit("no weight files left to copy: check the model's staging.deny patterns")
    return chosen
"""

STAGE_TO_BUCKET = f"""\
import os, sys
from huggingface_hub import HfApi, hf_hub_download
{_SELECT}
repo, rev = os.environ["MODEL_REPO"], os.environ["MODEL_REVISION"]
scheme, _, rest = os.environ["MODEL_DEST"].rstrip("/").partition("://")
bucket, _, prefix = rest.partition("/")
marker = prefix + "/{MARKER}"
if scheme == "s3":
    import boto3
    s3 = boto3.client("s3")
    def exists(key):
        try:
            s3.head_object(Bucket=bucket, Key=key)
            return True
        except s3.exceptions.ClientError:
            return False
    def upload(path, key):
        s3.upload_file(path, bucket, key)
else:
    from google.cloud import storage
    gcs = storage.Client().bucket(bucket)
    def exists(key):
        return gcs.blob(key).exists()
    def upload(path, key):
        gcs.blob(key).upload_from_filename(path)
if exists(marker):
    print("already staged:", repo, rev)
    sys.exit(0)
for name in staged(HfApi().list_repo_files(repo, revision=rev)):
    path = hf_hub_download(repo, name, revision=rev, local_dir="/staging")
    upload(path, prefix + "/" + name)
    os.remove(path)
with open("/tmp/marker", "w") as fh:
    fh.write(rev)
upload("/tmp/marker", marker)
print("staged:", repo, rev)
"""

FILL_LOCAL_CACHE = f"""\
import os, sys
from huggingface_hub import HfApi, snapshot_download
{_SELECT}
dest = os.environ["MODEL_DIR"]
marker = os.path.join(dest, "{MARKER}")
if not os.path.exists(marker):
    repo, rev = os.environ["MODEL_REPO"], os.environ["MODEL_REVISION"]
    files = staged(HfApi().list_repo_files(repo, revision=rev))
    snapshot_download(repo, revision=rev, local_dir=dest, allow_patterns=files)
    with open(marker, "w") as fh:
        fh.write(os.environ["MODEL_REVISION"])
"""

# The compile cache: the bucket prefix's objects mirror the files under the engine's cache directory; the marker is
# written last, so a reader never loads a half-published cache. Both sides only log a failure: without the cache the
# engine compiles, which is slower, never wrong (vLLM keys each entry by a hash of config, code and compiler).
_CACHE_BUCKET = f"""\
import os, sys
scheme, _, rest = os.environ["CACHE_URI"].rstrip("/").partition("://")
bucket, _, prefix = rest.partition("/")
root = os.environ["CACHE_DIR"]
marker = prefix + "/{MARKER}"
if scheme == "s3":
    import boto3
    s3 = boto3.client("s3")
    def exists(key):
        try:
            s3.head_object(Bucket=bucket, Key=key)
            return True
        except s3.exceptions.ClientError:
            return False
    def keys():
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
            yield from (item["Key"] for item in page.get("Contents", []))
    def download(key, path):
        s3.download_file(bucket, key, path)
    def upload(path, key):
        s3.upload_file(path, bucket, key)
else:
    from google.cloud import storage
    gcs = storage.Client().bucket(bucket)
    def exists(key):
        return gcs.blob(key).exists()
    def keys():
        yield from (blob.name for blob in gcs.client.list_blobs(gcs, prefix=prefix + "/"))
    def download(key, path):
        gcs.blob(key).download_to_filename(path)
    def upload(path, key):
        gcs.blob(key).upload_from_filename(path)
"""

FETCH_COMPILE_CACHE = f"""\
{_CACHE_BUCKET}
try:
    if not exists(marker):
        sys.exit(print("no compile cache published yet under", prefix))
    base = os.path.realpath(root)
    count = 0
    for key in keys():
        path = os.path.realpath(os.path.join(root, key[len(prefix) + 1:]))
        if key == marker or not path.startswith(base + os.sep):
            continue  # the marker, or a name that would land outside the cache directory
        os.makedirs(os.path.dirname(path), exist_ok=True)
        download(key, path)
        count += 1
    print("compile cache loaded:", count, "files from", prefix)
except Exception as exc:
    print("compile cache not loaded, the engine compiles:", exc)
"""

PUBLISH_COMPILE_CACHE = f"""\
import signal, time, urllib.request
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
{_CACHE_BUCKET}
def engine_ready():
    try:
        with urllib.request.urlopen(os.environ["ENGINE_HEALTH_URL"], timeout=5) as answer:
            return answer.status == 200
    except Exception:
        return False
while not engine_ready():
    time.sleep(10)
try:
    if exists(marker):
        print("compile cache already published under", prefix)
    else:
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                upload(path, prefix + "/" + os.path.relpath(path, root))
        with open("/tmp/compile-cache-marker", "w") as fh:
            fh.write(prefix)
        upload("/tmp/compile-cache-marker", marker)
        print("compile cache published under", prefix)
except Exception as exc:
    print("compile cache not published:", exc)
while True:
    time.sleep(3600)
"""

# LoRA adapters: vLLM loads `--lora-modules` from local directories, so an init container copies each staged adapter
# from the bucket into the pod's adapter volume. A missing marker fails the pod: the engine would refuse to start
# without the adapter anyway, and a clear message here beats vLLM's.
FETCH_ADAPTERS = f"""\
import json, os, sys
root = os.environ["ADAPTER_DIR"]
for name, uri in sorted(json.loads(os.environ["ADAPTERS"]).items()):
    scheme, _, rest = uri.rstrip("/").partition("://")
    bucket, _, prefix = rest.partition("/")
    marker = prefix + "/{MARKER}"
    if scheme == "s3":
        import boto3
        s3 = boto3.client("s3")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        def download(key, path):
            s3.download_file(bucket, key, path)
    else:
        from google.cloud import storage
        gcs = storage.Client().bucket(bucket)
        keys = [blob.name for blob in gcs.client.list_blobs(gcs, prefix=prefix + "/")]
        def download(key, path):
            gcs.blob(key).download_to_filename(path)
    if marker not in keys:
        sys.exit("adapter " + name + " is not staged yet under " + prefix + ": its staging Job has not finished")
    base = os.path.realpath(os.path.join(root, name))
    for key in keys:
        path = os.path.realpath(os.path.join(base, key[len(prefix) + 1:]))
        if key == marker or not path.startswith(base + os.sep):
            continue  # the marker, or a name that would land outside the adapter's directory
        os.makedirs(os.path.dirname(path), exist_ok=True)
        download(key, path)
    print("adapter loaded:", name, "from", prefix)
"""
