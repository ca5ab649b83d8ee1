"""The book's MNIST network on the 10,000 test images: accuracy 0.9352.

    python examples/mnist_accuracy.py DATA_DIR
DATA_DIR holds t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz and book_mnist_mlp.npz.
"""

import sys
from pathlib import Path

import numpy as np

import nngraph as ng

if len(sys.argv) != 2:
    sys.exit(__doc__)
data = Path(sys.argv[1])
images, labels = ng.load_mnist(data / "t10k-images-idx3-ubyte.gz", data / "t10k-labels-idx1-ubyte.gz")
net = ng.mnist_network(ng.load_weights(data / "book_mnist_mlp.npz"))

batch_size = 100
correct = 0
for start in range(0, len(images), batch_size):
    y = net.forward(images[start : start + batch_size])
    correct += int(np.sum(np.argmax(y, axis=1) == labels[start : start + batch_size]))
print(f"accuracy: {correct / len(images):.4f}")
