// Tests that train share libtorch's process-wide state (global generator, thread count), so the whole
// suite runs one test at a time: determinism assertions stay exact, and on 2 cores parallel runs of
// CPU-bound training gain little anyway. Child-process tests still use their own processes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
