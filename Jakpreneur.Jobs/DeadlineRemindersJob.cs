using Jakpreneur.Core.Jobs;
using Quartz;

namespace Jakpreneur.Jobs;

/// <summary>Daily (08:00 WIB by default): queue H-7 … overdue reminder digests.</summary>
[DisallowConcurrentExecution]
public sealed class DeadlineRemindersJob(JobRunner runner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await runner.RunAsync(JobNames.DeadlineReminders, cancellationToken);
}
