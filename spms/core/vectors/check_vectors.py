"""Independent check of tree.json with Python's hashlib: recomputes every
index and node hash, and the roots from the published proofs, following
DESIGN §3.3 literally. Exit status 0 when all match."""
import hashlib
import json
import sys


def h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def bits(index: bytes, d: int, flip_last: bool = False) -> bytes:
    n = (d + 7) // 8
    out = bytearray(index[:n])
    if d % 8:
        out[-1] &= (0xFF << (8 - d % 8)) & 0xFF
    if flip_last and d > 0:
        out[(d - 1) // 8] ^= 0x80 >> ((d - 1) % 8)
    return bytes(out)


def bit(index: bytes, i: int) -> int:
    return (index[i // 8] >> (7 - i % 8)) & 1


def main(path: str) -> int:
    v = json.load(open(path))
    tid = bytes.fromhex(v["treeId"])
    for n in v["names"]:
        assert h(b"spms/index/v1\x00", n["name"].encode()).hex() == n["index"], n
    for e in v["nodes"]["empty"]:
        assert h(b"\x00", tid, e["depth"].to_bytes(2, "big"), bits(bytes.fromhex(e["index"]), e["depth"])).hex() == e["hash"], e
    for leaf in v["nodes"]["leaf"]:
        got = h(b"\x01", tid, leaf["depth"].to_bytes(2, "big"), bytes.fromhex(leaf["index"]), leaf["version"].to_bytes(8, "big"), bytes.fromhex(leaf["bindingHash"]))
        assert got.hex() == leaf["hash"], leaf
    i = v["nodes"]["interior"]
    assert h(b"\x02", bytes.fromhex(i["left"]), bytes.fromhex(i["right"])).hex() == i["hash"]
    for epoch in v["epochs"]:
        for p in epoch["proofs"]:
            index = h(b"spms/index/v1\x00", p["name"].encode())
            proof = p["json"]
            d = proof["depth"]
            t = proof["terminal"]
            if t["kind"] == "empty":
                node = h(b"\x00", tid, d.to_bytes(2, "big"), bits(index, d))
            else:
                leaf_index = bytes.fromhex(t["index"]) if "index" in t else index
                node = h(b"\x01", tid, d.to_bytes(2, "big"), leaf_index, t["version"].to_bytes(8, "big"), bytes.fromhex(t["bindingHash"]))
            for k, sib in enumerate(proof["siblings"]):
                depth = d - k
                s = bytes.fromhex(sib) if sib is not None else h(b"\x00", tid, depth.to_bytes(2, "big"), bits(index, depth, True))
                node = h(b"\x02", node, s) if bit(index, depth - 1) == 0 else h(b"\x02", s, node)
            assert node.hex() == epoch["root"], (epoch["epoch"], p["name"])
    assert hashlib.sha256(bytes.fromhex(v["binding"]["cbor"])).hexdigest() == v["binding"]["bindingHash"]
    print("vectors ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
