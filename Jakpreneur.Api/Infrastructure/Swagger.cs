using System.Reflection;
using Jakpreneur.Api.Auth;
using Microsoft.OpenApi;

namespace Jakpreneur.Api.Infrastructure;

internal static class Swagger
{
    public static IServiceCollection AddJakpreneurSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Jakpreneur API",
                Version = "v1",
                Description = "Targets and achievements of the Jakpreneur programme per sudin, rolled up to kecamatan, " +
                              "walikota and province; sosialisasi obligations of every kelurahan. Send your key in X-Api-Key.",
            });
            o.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "API key issued by POST /api/v1/api-keys (or Auth:BootstrapAdminKey).",
            });
            o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
            });
            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
            {
                o.IncludeXmlComments(xml);
            }
            o.SupportNonNullableReferenceTypes();
            o.SchemaFilter<RequestExamplesFilter>();
            o.OperationFilter<OpenEndpointsFilter>();
        });
        return services;
    }
}
