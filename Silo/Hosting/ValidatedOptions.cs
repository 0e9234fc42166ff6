using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OrleansChat.Hosting;

/// <summary>Binds an options section once, validates it, and fails start-up naming the setting that is wrong.</summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Registers <typeparamref name="TOptions"/> for injection (validated on start) and returns the bound value for
    /// wiring that happens before the container exists, such as Orleans' builder.
    /// </summary>
    public static TOptions AddValidatedOptions<TOptions>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class, new()
    {
        var section = builder.Configuration.GetSection(sectionName);
        TOptions value;
        try
        {
            value = section.Get<TOptions>() ?? new TOptions();
        }
        catch (InvalidOperationException ex)
        {
            // A value that does not convert (a word where a number belongs): the binder names the key in its message.
            throw new OptionsValidationException(sectionName, typeof(TOptions), [$"{sectionName}: {ex.Message}"]);
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            var failures = results.Select(r =>
                $"{sectionName}:{string.Join(",", r.MemberNames)} {r.ErrorMessage}").ToList();
            throw new OptionsValidationException(sectionName, typeof(TOptions), failures);
        }

        builder.Services.AddOptions<TOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();

        return value;
    }
}
