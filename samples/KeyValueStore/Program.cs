using HsmRaft.Samples.KeyValueStore.Demo;
using HsmRaft.Samples.KeyValueStore.Node;

const string usage = """
    HsmRaft key-value store sample.

      KeyValueStore demo [options]   run a local cluster of node processes through elections, a leader crash, a membership
                                     change and a snapshot install, then verify every acknowledged write ('demo --help')
      KeyValueStore node [options]   run one node of a cluster ('node --help')
    """;

return args.FirstOrDefault() switch
{
    "node" => await NodeHost.RunAsync(args[1..]),
    "demo" => await DemoCommand.RunAsync(args[1..]),
    null or "--help" or "-h" or "help" => Help(0),
    _ => Help(2),
};

int Help(int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine(usage);
    return code;
}
