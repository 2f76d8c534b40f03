using Jakpreneur.Core.Jobs;
using Quartz;

namespace Jakpreneur.Jobs;

/// <summary>Every minute by default: deliver due notifications over SMTP and webhooks.</summary>
[DisallowConcurrentExecution]
public sealed class NotificationDispatchJob(JobRunner runner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        context.Result = await runner.RunAsync(JobNames.NotificationDispatch, cancellationToken);
}
