"""Small Python programs run inside the engine image (which ships huggingface_hub, boto3 and the GCS client).

Staging copies a pinned hub revision into the bucket file by file, so the pod needs disk for one shard only,
and writes a marker object last: a re-run finds the marker and exits at once. The local cache does the same
into a volume when there is no bucket.
"""

from __future__ import annotations

MARKER = ".inferstack-complete"

STAGE_TO_BUCKET = f"""\
import os, sys
from huggingface_hub import HfApi, hf_hub_download
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
for name in HfApi().list_repo_files(repo, revision=rev):
    path = hf_hub_download(repo, name, revision=rev, local_dir="/staging")
    upload(path, prefix + "/" + name)
    os.remove(path)
with open("/tmp/marker", "w") as fh:
    fh.write(rev)
upload("/tmp/marker", marker)
print("staged:", repo, rev)
"""

FILL_LOCAL_CACHE = f"""\
import os
from huggingface_hub import snapshot_download
dest = os.environ["MODEL_DIR"]
marker = os.path.join(dest, "{MARKER}")
if not os.path.exists(marker):
    snapshot_download(os.environ["MODEL_REPO"], revision=os.environ["MODEL_REVISION"], local_dir=dest)
    with open(marker, "w") as fh:
        fh.write(os.environ["MODEL_REVISION"])
"""
