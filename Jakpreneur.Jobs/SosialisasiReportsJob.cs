using Jakpreneur.Core.Jobs;
using Quartz;

namespace Jakpreneur.Jobs;

/// <summary>Daily (07:00 WIB by default): compile each open campaign's report per kota, and any queued on demand.</summary>
[DisallowConcurrentExecution]
public sealed class SosialisasiReportsJob(JobRunner runner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await runner.RunAsync(JobNames.SosialisasiReports, cancellationToken);
}
