namespace Hsm.Benchmarks;

public readonly record struct Flip;
public readonly record struct Ping;
public readonly record struct Cross;
public readonly record struct Tick;
public readonly record struct Decide;
public readonly record struct Leave;
public readonly record struct Back;
