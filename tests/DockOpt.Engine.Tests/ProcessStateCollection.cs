namespace DockOpt.Engine.Tests;

/// <summary>
/// Tests that change process-wide state (environment variables, Console.Out) run in this collection, which xunit runs
/// alone, after the parallel ones: an environment variable set by one test class is read by every other class running
/// at the same time (DOCKOPT_LAYER_CACHE=off turns another class's cache hit into a miss, DOCKOPT_VULNDB moves another
/// class's database). <see cref="ProcessStateGuardTests"/> keeps every such class in here.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessStateCollection
{
    public const string Name = "ProcessState";
}
