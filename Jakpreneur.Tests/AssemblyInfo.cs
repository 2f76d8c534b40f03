// Fixtures own their API and database, so they run side by side; tests inside a fixture run in order.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
