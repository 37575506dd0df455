"""The SPMS seed's Merkle tree (its src/util/mt.py), re-expressed for the benchmark.

The algorithm, as the seed runs it:
  - A fixed-depth binary tree; the benchmark uses depth = ceil(log2 N) + 4.
  - A name's position is the first `depth` bits of SHA-256(ascii(name)), kept
    as a string of '0'/'1' characters.
  - Every one of the 2^depth leaf positions is materialised: a position with
    one name holds SHA-256(binding); several names that collide hold
    SHA-256(concatenation of their SHA-256(binding)); an empty position holds
    one random 256-bit constant shared by all empty positions.
  - Interior nodes are SHA-256(left || right), computed recursively from the
    root and stored in a dict keyed by their bit-string prefix.
  - There is no incremental update: every epoch the tree is reset and rebuilt
    from all names.
  - A proof (auth path) is the dict {prefix: hex hash} of the `depth` sibling
    nodes, plus 'leaves': the hex hashes of the other bindings sharing the
    position. An absent name gets an empty auth path: the seed has no absence
    proofs.
  - Verification hashes the binding (folding in the colliding leaves),
    then climbs, placing the sibling left or right by the last bit of its
    prefix, and compares the hex root. It folds the queried binding first,
    whereas the leaf folded the bucket in insertion order: a name that is not
    first in a shared position fails verification. Kept as is (the benchmark
    reports the count) because it is the seed's behaviour.

Protocol with measures/merkle (standard library only):
  stdin  line 1: JSON {"depth": d, "reps": r}
         then blocks of lines separated by a line "--":
           1. the initial names: "name bindingHex"
           2. the epoch's changes: "name bindingHex" (insert or update) or "name -" (remove)
           3. the proof probes: "name bindingHex" (present names only)
  stdout one JSON line with the timings.
"""

import hashlib
import json
import os
import resource
import sys
import time

sha256 = hashlib.sha256


class SeedTree:
    def __init__(self, depth, empty_hash):
        self.depth = depth
        self.empty_hash = empty_hash
        self.reset()

    def reset(self):
        self.leaves = {}  # position -> {name: binding}
        self.tree = {}  # prefix -> hash
        self.root = None

    def add_leaf(self, name, binding):
        self.leaves.setdefault(position(name, self.depth), {})[name] = binding

    def generate_tree(self):
        depth = self.depth
        tree = self.tree
        for i in range(1 << depth):
            key = format(i, "0%db" % depth)
            bucket = self.leaves.get(key)
            if bucket is None:
                tree[key] = self.empty_hash
                continue
            hashes = [sha256(b).digest() for b in bucket.values()]
            tree[key] = hashes[0] if len(hashes) == 1 else sha256(b"".join(hashes)).digest()

        def interior(prefix):
            if len(prefix) == depth:
                return tree[prefix]
            h = sha256(interior(prefix + "0") + interior(prefix + "1")).digest()
            tree[prefix] = h
            return h

        self.root = interior("")

    def auth_path(self, name):
        path = position(name, self.depth)
        bucket = self.leaves.get(path)
        result = {}
        if bucket is None or name not in bucket:
            return result
        if len(bucket) > 1:
            result["leaves"] = [sha256(b).hexdigest() for other, b in bucket.items() if other != name]
        for cut in range(1, len(path) + 1):
            sibling = path[:-cut] + ("1" if path[-cut] == "0" else "0")
            result[sibling] = self.tree[sibling].hex()
        return result


def position(name, depth):
    digest = sha256(name.encode("ascii")).digest()
    return format(int.from_bytes(digest, "big"), "0256b")[:depth]


def verify(auth_path, binding_hex, root_hex):
    acc = sha256(bytes.fromhex(binding_hex)).digest()
    if "leaves" in auth_path:
        acc = sha256(bytes.fromhex(acc.hex() + "".join(auth_path["leaves"]))).digest()
    for node in sorted((k for k in auth_path if k != "leaves"), key=len, reverse=True):
        other = bytes.fromhex(auth_path[node])
        acc = sha256(acc + other if node[-1] == "1" else other + acc).digest()
    return acc.hex() == root_hex


def read_block(stream):
    rows = []
    for line in stream:
        line = line.rstrip("\n")
        if line == "--":
            break
        name, _, value = line.partition(" ")
        rows.append((name, None if value == "-" else bytes.fromhex(value)))
    return rows


def build(tree, bindings):
    tree.reset()
    for name, binding in bindings.items():
        tree.add_leaf(name, binding)
    tree.generate_tree()


def main():
    header = json.loads(sys.stdin.readline())
    depth = header["depth"]
    reps = max(1, header.get("reps", 1))
    initial = read_block(sys.stdin)
    changes = read_block(sys.stdin)
    probes = read_block(sys.stdin)

    bindings = dict(initial)
    tree = SeedTree(depth, os.urandom(32))

    t0 = time.perf_counter()
    build(tree, bindings)
    build_ms = (time.perf_counter() - t0) * 1000

    for name, binding in changes:
        if binding is None:
            bindings.pop(name, None)
        else:
            bindings[name] = binding
    t0 = time.perf_counter()
    build(tree, bindings)
    update_ms = (time.perf_counter() - t0) * 1000

    root_hex = tree.root.hex()
    proofs = []
    t0 = time.perf_counter()
    for _ in range(reps):
        for name, _binding in probes:
            proofs.append(tree.auth_path(name))
    gen_s = time.perf_counter() - t0

    bins = [b.hex() for _name, b in probes] * reps
    t0 = time.perf_counter()
    ok = 0
    for proof, binding_hex in zip(proofs, bins):
        ok += verify(proof, binding_hex, root_hex)
    verify_s = time.perf_counter() - t0
    count = len(proofs)
    binary = sum(32 * (len(p) - ("leaves" in p)) + 32 * len(p.get("leaves", [])) for p in proofs)
    as_json = sum(len(json.dumps(p, separators=(",", ":"))) for p in proofs)
    json.dump(
        {
            "buildMs": build_ms,
            "updateMs": update_ms,
            "proofGenUs": gen_s * 1e6 / count,
            "verifyUs": verify_s * 1e6 / count,
            "proofBytes": binary / count,
            "proofJsonBytes": as_json / count,
            "proofs": count,
            "verifyFailures": count - ok,
            "nodes": len(tree.tree),
            "rssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
