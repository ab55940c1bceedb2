using System.Numerics;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace Echain.Demo.Chain;

/// <summary>Why a transaction reverted, in the contracts' own words: the custom error and its arguments.</summary>
public static class ContractErrors
{
    private static readonly ErrorABI[] Errors =
        ContractArtifact.EchainTickets.Abi.Errors.Concat(ContractArtifact.TestUsdc.Abi.Errors).ToArray();

    /// <summary>True when <paramref name="exception"/> (or one inside it) is the chain refusing a transaction.</summary>
    public static bool IsRevert(Exception exception) => FindRevert(exception) is not null;

    /// <summary>"SoldOut(3)", "ERC20InsufficientBalance(0x…,0,5000000)", or the exception's message when it is no revert of ours.</summary>
    public static string Describe(Exception exception)
    {
        switch (FindRevert(exception))
        {
            case SmartContractCustomErrorRevertException custom:
                var data = custom.ExceptionEncodedData.EnsureHexPrefix();
                var error = Errors.FirstOrDefault(a => data.StartsWith("0x" + a.Sha3Signature, StringComparison.OrdinalIgnoreCase));
                if (error is null)
                    return $"unknown error {data[..Math.Min(10, data.Length)]}";
                var values = new ParameterDecoder().DecodeDefaultData(data[10..], error.InputParameters);
                return $"{error.Name}({string.Join(',', values.Select(v => Text(v.Result)))})";
            case SmartContractRevertException revert:
                return revert.RevertMessage;
            default:
                return exception.Message;
        }
    }

    /// <summary>The revert in <paramref name="exception"/> or the exceptions inside it; Nethereum may wrap it.</summary>
    private static Exception? FindRevert(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SmartContractCustomErrorRevertException or SmartContractRevertException)
                return e;
        return null;
    }

    private static string Text(object value) => value switch
    {
        BigInteger n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        string s => s.ToLowerInvariant(),
        _ => value.ToString() ?? "",
    };
}
