"""Photo uploads: the server process's memory and the upload's time against writing the bytes to disk.

    python -m bench.photos [--runs 5] [--megabytes 19.5]

Migrates a scratch SQLite database in a temporary folder, issues an admin token, starts gunicorn
(one sync worker, 127.0.0.1 only, photos stored under the temporary folder) and uploads a JPEG of
about `--megabytes` MiB (random pixels at quality 100, with EXIF date and GPS) to
`POST /api/v1/projects/{id}/photos/`, `--runs` times after one warm-up upload, once upright and once
with EXIF orientation 6 (the photo must be turned and written again). Before each upload the worker's
peak resident memory is reset (`/proc/PID/clear_refs`, Linux); after it, the peak over the resident
memory before the upload is the upload's growth. The floor is writing the same bytes to a file in
the same folder, in 64 KiB chunks, as Django's upload handler does; `decode s` is Pillow's decoding
alone, in this process, as the service decodes. Prints the medians and maxima.
"""

import argparse
import http.client
import io
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
MIB = 1024 * 1024


def jpeg(megabytes: float, orientation: int) -> bytes:
    """Random pixels at quality 100, 4:3, within 5 % under `megabytes` MiB."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2023:05:04 09:40:00"
    exif.get_ifd(0x8825).update({1: "N", 2: (34.0, 45.0, 13.0), 3: "E", 4: (113.0, 39.0, 57.0)})
    if orientation != 1:
        exif[0x0112] = orientation
    target, side = megabytes * MIB, 1200
    while True:
        image = Image.merge("RGB", [Image.effect_noise((side, side * 3 // 4), 90) for _ in range(3)])
        out = io.BytesIO()
        image.save(out, "JPEG", quality=100, exif=exif.tobytes())
        size = len(out.getvalue())
        if 0.95 * target <= size <= target:
            return out.getvalue()
        side = int(side * math.sqrt(0.975 * target / size))


def multipart(content: bytes, fields: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="IMG_2041.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post(port: int, path: str, token: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        connection.request("POST", path, body=body, headers={
            "Authorization": f"Token {token}", "Content-Type": content_type, "Content-Length": str(len(body)),
        })
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MiB."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    return found


def reset_peak(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")


def worker_of(master: int, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise SystemExit("gunicorn started no worker")


def disk_floor(folder: Path, content: bytes) -> float:
    """Seconds to write `content` to a new file in 64 KiB chunks and close it (no fsync, as an upload)."""
    path = folder / f"floor-{secrets.token_hex(4)}"
    started = time.perf_counter()
    with open(path, "wb") as out:
        for start in range(0, len(content), 64 * 1024):
            out.write(content[start:start + 64 * 1024])
    elapsed = time.perf_counter() - started
    path.unlink()
    return elapsed


def decode_seconds(content: bytes) -> float:
    """Seconds Pillow takes to decode the photo as the service does (a JPEG at 1/8 scale unless it must be turned)."""
    started = time.perf_counter()
    image = Image.open(io.BytesIO(content))
    if image.getexif().get(0x0112, 1) == 1:
        image.draft("RGB", (480, 480))
    image.load()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed uploads of each photo (default 5)")
    parser.add_argument("--megabytes", type=float, default=19.5, help="size of the photo in MiB (default 19.5)")
    parser.add_argument("--port", type=int, default=8771)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-photos-") as scratch:
        folder = Path(scratch)
        (folder / "uploads").mkdir()
        env = {
            **os.environ, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "DEBUG": "0", "PORTFOLIO_HTTPS": "0",
            "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": HOST, "MEDIA_ROOT": str(folder / "media"),
            "FILE_UPLOAD_TEMP_DIR": str(folder / "uploads"), "THROTTLE_USER_RATE": "100000/min",
            "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        }
        env.pop("STORAGE_BUCKET", None)
        run = lambda *args: subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,  # noqa: E731
                                           capture_output=True, text=True).stdout
        run("migrate", "--noinput")
        token = run("issue_token", "bench-office", "--role", "admin").strip().splitlines()[-1]
        project_id = int(run("shell", "-c", (
            "from tests.factories import ProjectFactory; print(ProjectFactory(name='基准项目').pk)"
        )).strip().splitlines()[-1])

        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "portfolio.wsgi", "--workers", "1", "--worker-class", "sync", "--bind",
             f"{HOST}:{options.port}", "--timeout", "300", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            worker = worker_of(server.pid)
            deadline = time.monotonic() + 60
            while True:
                try:
                    http.client.HTTPConnection(HOST, options.port, timeout=2).request("GET", "/api/v1/")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("gunicorn did not answer") from None
                    time.sleep(0.3)
            path = f"/api/v1/projects/{project_id}/photos/"
            print(f"gunicorn, 1 sync worker (pid {worker}), SQLite, local storage; {options.runs} runs after a warm-up")
            print(f"{'photo':<28} {'MiB':>6} {'upload s':>9} {'disk s':>8} {'ratio':>6} {'decode s':>9} "
                  f"{'RSS before':>10} {'peak +MiB':>9} {'max +MiB':>8}")
            for label, orientation in (("JPEG, upright", 1), ("JPEG, EXIF orientation 6", 6)):
                content = jpeg(options.megabytes, orientation)
                body, content_type = multipart(content, {"caption": "基准"})
                post(port=options.port, path=path, token=token, body=body, content_type=content_type)  # warm-up
                times, floors, growths, before = [], [], [], []
                for _ in range(options.runs):
                    reset_peak(worker)
                    start_memory = memory(worker)["VmRSS"]
                    started = time.perf_counter()
                    status, answer = post(options.port, path, token, body, content_type)
                    times.append(time.perf_counter() - started)
                    if status != 201:
                        raise SystemExit(f"upload answered {status}: {answer[:300]!r}")
                    growths.append(memory(worker)["VmHWM"] - start_memory)
                    before.append(start_memory)
                    floors.append(disk_floor(folder, content))
                upload, floor = statistics.median(times), statistics.median(floors)
                decode = statistics.median(decode_seconds(content) for _ in range(3))
                print(f"{label:<28} {len(content) / MIB:>6.1f} {upload:>9.3f} {floor:>8.3f} {upload / floor:>6.0f} "
                      f"{decode:>9.3f} "
                      f"{statistics.median(before):>10.1f} {statistics.median(growths):>9.1f} {max(growths):>8.1f}")
            leftovers = os.listdir(folder / "uploads")
            print(f"temporary upload files left: {len(leftovers)}")
            stored = json.loads(run("shell", "-c", "from projects.models import Photo; import json; "
                                    "print(json.dumps(Photo.objects.count()))").strip().splitlines()[-1])
            print(f"photos stored: {stored}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
