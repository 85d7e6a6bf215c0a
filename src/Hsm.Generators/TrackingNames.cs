namespace Hsm.Generators;

/// <summary>Names of the generator's pipeline steps, used by incremental-caching tests.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Model = nameof(Model);
    public const string Diagnostics = nameof(Diagnostics);
    public const string DispatchSites = nameof(DispatchSites);
    public const string MachineEvents = nameof(MachineEvents);
}
