using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Jakpreneur.Api.Infrastructure;

/// <summary>Example request bodies in Swagger UI, taken from the Jakarta Barat 2020 programme.</summary>
internal sealed class RequestExamplesFilter : ISchemaFilter
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["PeriodRequest"] = """{"name":"Jakpreneur 2020","startDate":"2020-01-01","endDate":"2020-12-31","targetDeadline":"2020-12-15"}""",
        ["TargetRequest"] = """{"target":9968}""",
        ["DeclaredTotalRequest"] = """{"total":15230,"source":"Bagian Perekonomian Kota Administrasi Jakarta Barat, 2020"}""",
        ["AchievementRequest"] = """{"period":"2020","kelurahan":"31.73.08.1001","sudin":"PPKUKM-UKM","count":12,"date":"2020-06-01","reference":"PPKUKM-UKM/JB/2020/061","note":"Pelatihan batch 3"}""",
        ["BatchRequest"] = """{"entries":[{"period":"2020","kelurahan":"31.73.08.1001","sudin":"KPKP","count":5,"date":"2020-06-01"},{"period":"2020","kelurahan":"31.73.08.1002","sudin":"KPKP","count":3,"date":"2020-06-02"}]}""",
        ["ReversalRequest"] = """{"reason":"Entered twice"}""",
        ["CampaignRequest"] = """{"code":"JB-2020-SOSIALISASI","title":"Pendaftaran Jakpreneur dan bahan baku murah","period":"2020","kota":["31.73"],"dueDate":"2020-12-15","materialUrl":"https://jakpreneur.jakarta.go.id/"}""",
        ["ReportRequest"] = """{"kelurahan":"31.73.08.1001","channel":"instagram","url":"https://www.instagram.com/p/kembangan-utara","publishedOn":"2020-12-01","reach":850}""",
        ["CompileReportRequest"] = """{"campaign":"JB-2020-SOSIALISASI","kota":"31.73"}""",
        ["ContactRequest"] = """{"name":"Lurah Kembangan Utara","email":"kel.kembanganutara@jakarta.go.id","webhookUrl":"https://gateway.example.go.id/wa"}""",
        ["ApiKeyRequest"] = """{"name":"Sudin PPKUKM Jakarta Barat (UKM)","role":"sudin","kota":"31.73","sudin":"PPKUKM-UKM"}""",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type.Name, out var example))
        {
            concrete.Examples = [JsonNode.Parse(example)!];
        }
    }
}

/// <summary>Open endpoints (health) say so in the document, overriding the global X-Api-Key requirement.</summary>
internal sealed class OpenEndpointsFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
        {
            operation.Security = [];
        }
    }
}
