"""Fashion-MNIST (Debian dataset-fashion-mnist) -> pool/test JSONL: 784-float vector -> 10 classes.

Uses the dataset's own split: the 60,000 training images are the pool, the 10,000 t10k images the
test set. vector = the 28x28 image row-major, pixel/255 rounded to 4 decimals; no text field.
meta = the index within its IDX file.
usage: convert_fashion.py DATA_DIR OUT_DIR
"""
import gzip
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

CLASSES = ["tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
           "bag", "ankle_boot"]
# Pixel byte -> its JSON number, pre-rendered once: the files hold 55M pixels.
PIXEL = ["0" if i == 0 else ("1" if i == 255 else "%.4f" % (i / 255.0)).rstrip("0")
         for i in range(256)]


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    got, n = struct.unpack(">II", data[:8])
    if got != magic:
        raise SystemExit("%s: bad magic %#x" % (path, got))
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return n, rows * cols, data[16:]
    return n, 1, data[8:]


def convert(data_dir, prefix, out_path):
    n, dim, pixels = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"), 2051)
    m, _, labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"), 2049)
    if n != m:
        raise SystemExit("%s: %d images but %d labels" % (prefix, n, m))
    tmp = out_path + ".tmp"
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(tmp, "w", encoding="ascii") as f:
        for i in range(n):
            vec = ",".join(PIXEL[b] for b in pixels[i * dim:(i + 1) * dim])
            f.write('{"id":"%s-%05d","label":"%s","vector":[%s],"meta":{"index":%d}}\n'
                    % (prefix, i, CLASSES[labels[i]], vec, i))
    os.replace(tmp, out_path)
    return n


def main():
    data_dir, out = sys.argv[1], sys.argv[2]
    n_pool = convert(data_dir, "train", os.path.join(out, "pool.jsonl"))
    n_test = convert(data_dir, "t10k", os.path.join(out, "test.jsonl"))
    print("fashion: pool=%d test=%d classes=%d" % (n_pool, n_test, len(CLASSES)))


if __name__ == "__main__":
    main()
