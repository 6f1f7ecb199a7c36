package io.deepnets.data;

import java.util.List;
import java.util.Map;

/**
 * Canonical download locations and their checksums (MD5, as the dataset authors publish them).
 *
 * @param mnistBases base URLs tried in order for each MNIST file
 * @param mnistMd5 expected MD5 per MNIST file name
 * @param cifarUrl the CIFAR-10 binary release archive
 * @param cifarMd5 its expected MD5
 */
public record DataSources(List<String> mnistBases, Map<String, String> mnistMd5, String cifarUrl, String cifarMd5) {

    /** The upstream releases. */
    public static DataSources canonical() {
        return new DataSources(
                List.of("http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"),
                Map.of("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                        "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                        "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                        "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
                "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                "c32a1d4ab5d03f1284b67883e8d87530");
    }
}
