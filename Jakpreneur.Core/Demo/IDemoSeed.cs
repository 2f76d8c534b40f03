namespace Jakpreneur.Core.Demo;

/// <summary>
/// One feature's part of <c>--seed-demo</c> (the Jakarta Barat 2020 example). Parts run in
/// <see cref="Order"/> and must be safe to run again on a database that already holds them.
/// </summary>
public interface IDemoSeed
{
    int Order { get; }

    Task SeedAsync(CancellationToken ct);
}
