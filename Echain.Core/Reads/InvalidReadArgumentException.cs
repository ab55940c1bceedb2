namespace Echain.Core.Reads;

/// <summary>
/// A read's argument (id, address, cursor, limit) the caller got wrong: the public <see cref="Field"/> and a sentence
/// written for the caller, which the hosts answer as 400 <c>invalid-argument</c>. Not an ArgumentException, whose
/// Message appends "(Parameter '…')", the C# parameter, to whatever it is given.
/// </summary>
public sealed class InvalidReadArgumentException(string field, string sentence) : Exception(sentence)
{
    public string Field { get; } = field;

    public ApiProblem ToProblem() => ApiProblem.InvalidArgument(Message, Field);
}
