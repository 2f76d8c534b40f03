using System.Reflection;
using System.Text.Json;
using FluentValidation;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>Runs the request's FluentValidation validator before the handler; 400 problem with errors when it fails.</summary>
internal sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var argument = context.Arguments.OfType<T>().FirstOrDefault();
        if (argument is null)
        {
            return Problems.BodyRequired();
        }
        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        return result.IsValid ? await next(context) : Problems.Validation(result.ToDictionary());
    }
}

internal static class ValidationExtensions
{
    /// <summary>Validates the body of type <typeparamref name="T"/> with its registered validator.</summary>
    public static RouteHandlerBuilder WithValidation<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();

    /// <summary>
    /// Registers every validator of this assembly as a singleton (validators are stateless)
    /// and makes error keys and messages use the JSON field names (<c>entries[3].count</c>).
    /// </summary>
    public static IServiceCollection AddValidators(this IServiceCollection services)
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : CamelCase(member);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : CamelCase(member);
        ValidatorOptions.Global.LanguageManager.Enabled = true;
        foreach (var result in AssemblyScanner.FindValidatorsInAssembly(typeof(ValidationFilter<>).Assembly, includeInternalTypes: true))
        {
            services.AddSingleton(result.InterfaceType, result.ValidatorType);
        }
        return services;
    }

    private static string CamelCase(MemberInfo member) => JsonNamingPolicy.CamelCase.ConvertName(member.Name);
}
