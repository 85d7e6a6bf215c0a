// The tests here run whole clusters of processes; one at a time keeps a small (2-core) machine from starving their timers.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
