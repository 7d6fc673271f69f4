namespace NasOnnx.Data;

/// <summary>The datasets nasonnx knows by name. fashion-mnist is the default.</summary>
public static class DatasetCatalog
{
    public const string DefaultName = "fashion-mnist";

    /// <summary>
    /// Official Fashion-MNIST location and MD5s, from the "Get the Data" table of
    /// github.com/zalandoresearch/fashion-mnist README.md. (Debian's dataset-fashion-mnist package
    /// ships the same data re-compressed, so its .gz files have other MD5s.)
    /// </summary>
    public static readonly Uri FashionMnistBaseUrl = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    public const string DebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    private static readonly string[] IdxTrain = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"];
    private static readonly string[] IdxTest = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    public static DatasetInfo FashionMnist { get; } = new()
    {
        Name = "fashion-mnist",
        DisplayName = "Fashion-MNIST",
        Format = DatasetFormat.Idx,
        Channels = 1, Height = 28, Width = 28,
        ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        Normalization = Normalization.FashionMnist,
        TrainFiles = IdxTrain,
        TestFiles = IdxTest,
        SystemFolders = [DebianFashionMnistFolder],
        DownloadBaseUrl = FashionMnistBaseUrl,
        DownloadFiles =
        [
            new("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            new("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
            new("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
            new("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        ],
        ManualSource = "copy train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and " +
                       "t10k-labels-idx1-ubyte.gz (from https://github.com/zalandoresearch/fashion-mnist) into data/fashion-mnist/, " +
                       "or on Debian/Ubuntu run: sudo apt-get install dataset-fashion-mnist",
    };

    public static DatasetInfo Mnist { get; } = new()
    {
        Name = "mnist",
        DisplayName = "MNIST",
        Format = DatasetFormat.Idx,
        Channels = 1, Height = 28, Width = 28,
        ClassNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        Normalization = Normalization.Mnist,
        TrainFiles = IdxTrain,
        TestFiles = IdxTest,
        ManualSource = "copy the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
                       "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; gzipped or not) into data/mnist/",
    };

    public static DatasetInfo Cifar10 { get; } = new()
    {
        Name = "cifar10",
        DisplayName = "CIFAR-10",
        Format = DatasetFormat.Cifar10Binary,
        Channels = 3, Height = 32, Width = 32,
        ClassNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
        Normalization = Normalization.Cifar10,
        TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
        TestFiles = ["test_batch.bin"],
        SubFolders = ["cifar-10-batches-bin"],
        ManualSource = "download the CIFAR-10 binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html) " +
                       "and extract it into data/cifar10/",
    };

    public static DatasetInfo Cifar100 { get; } = new()
    {
        Name = "cifar100",
        DisplayName = "CIFAR-100",
        Format = DatasetFormat.Cifar100Binary,
        Channels = 3, Height = 32, Width = 32,
        ClassNames = Cifar100FineNames,
        Normalization = Normalization.Cifar100,
        TrainFiles = ["train.bin"],
        TestFiles = ["test.bin"],
        SubFolders = ["cifar-100-binary"],
        ManualSource = "download the CIFAR-100 binary version (cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html) " +
                       "and extract it into data/cifar100/",
    };

    private static string[] Cifar100FineNames =>
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ];

    public static IReadOnlyList<DatasetInfo> All { get; } = [FashionMnist, Mnist, Cifar10, Cifar100];

    public static IEnumerable<string> Names => All.Select(d => d.Name);

    /// <summary>Looks a dataset up by name (case-insensitive; "fashion_mnist", "cifar-10" etc. also work).</summary>
    public static DatasetInfo Get(string? name)
    {
        if (TryGet(name, out var info)) return info;
        throw new NasOnnxException($"unknown dataset '{name}'",
            $"Use one of: {string.Join(", ", Names)}.");
    }

    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DatasetInfo? info)
    {
        string key = Canon(string.IsNullOrWhiteSpace(name) ? DefaultName : name);
        info = All.FirstOrDefault(d => Canon(d.Name) == key);
        return info is not null;
    }

    private static string Canon(string s) => new(s.Trim().ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
}
