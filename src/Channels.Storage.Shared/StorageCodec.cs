using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Channels.Storage;

/// <summary>
/// How both stores encode a row's columns (linked into the SQLite and the PostgreSQL store, so the two agree byte for byte).
/// </summary>
/// <remarks>
/// <para>
/// Amounts are a fixed 32-byte big-endian unsigned word (BLOB in SQLite, BYTEA in PostgreSQL). Both engines compare
/// such values byte by byte (memcmp), and for equal lengths that order is the numeric order, so the monotone condition
/// <c>cumulative &lt; @new</c> is evaluated by the database itself on either engine, with no NUMERIC type that SQLite
/// lacks and no conversion that could round.
/// </para>
/// <para>
/// 64-bit unsigned values (chain id, channel nonce, close deadline, block number) are kept in signed 64-bit columns as
/// their two's-complement reinterpretation: a chain id above <see cref="long.MaxValue"/> is stored negative and read
/// back unchanged. Those columns are only compared for equality, except the block number, which is ordered in SQL and
/// therefore must be at most <see cref="long.MaxValue"/> (checked on write).
/// </para>
/// </remarks>
internal static class StorageCodec
{
    /// <summary>Length of an encoded amount.</summary>
    public const int AmountLength = 32;

    /// <summary>Length of a voucher signature r‖s‖v.</summary>
    public const int SignatureLength = 65;

    /// <summary>Vouchers carry amounts below 2^96 (the contract's <c>uint96</c>).</summary>
    public static readonly BigInteger VoucherAmountLimit = BigInteger.One << 96;

    private static readonly BigInteger MaxWord = (BigInteger.One << 256) - 1;

    public static long EncodeUInt64(ulong value) => unchecked((long)value);

    public static ulong DecodeUInt64(long value) => unchecked((ulong)value);

    /// <summary>The 32-byte big-endian word of a non-negative amount.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or above 2^256 - 1.</exception>
    public static byte[] EncodeAmount(BigInteger value, string paramName)
    {
        if (value.Sign < 0 || value > MaxWord)
        {
            throw new ArgumentOutOfRangeException(paramName, "An amount is between 0 and 2^256 - 1.");
        }

        var word = new byte[AmountLength];
        var length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(word.AsSpan(AmountLength - length), out _, isUnsigned: true, isBigEndian: true);
        return word;
    }

    public static bool TryDecodeAmount(object? column, out BigInteger value)
    {
        value = default;
        if (column is not byte[] { Length: AmountLength } bytes)
        {
            return false;
        }

        value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return true;
    }

    /// <summary>Checks a voucher before it is written.</summary>
    public static void Validate(StoredVoucher voucher, string paramName)
    {
        ArgumentNullException.ThrowIfNull(voucher, paramName);
        ArgumentNullException.ThrowIfNull(voucher.Signature, paramName + ".Signature");
        if (voucher.Cumulative.Sign <= 0 || voucher.Cumulative >= VoucherAmountLimit)
        {
            throw new ArgumentOutOfRangeException(paramName, $"The cumulative amount of the voucher for channel {voucher.Key} is not between 1 and 2^96 - 1.");
        }

        if (!TryCheckSignature(voucher.Signature, out var error))
        {
            throw new ArgumentException($"The signature of the voucher for channel {voucher.Key} is invalid: {error}", paramName);
        }
    }

    /// <summary>Checks a channel view before it is written.</summary>
    public static void Validate(StoredChannel channel, string paramName)
    {
        ArgumentNullException.ThrowIfNull(channel, paramName);
        ArgumentNullException.ThrowIfNull(channel.View, paramName + ".View");
        ArgumentNullException.ThrowIfNull(channel.View.Parameters, paramName + ".View.Parameters");
        if (channel.BlockNumber > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, "A block number is at most 2^63 - 1.");
        }
    }

    /// <summary>Checks a close agreement before it is written.</summary>
    public static void Validate(CloseAgreement agreement, string paramName)
    {
        ArgumentNullException.ThrowIfNull(agreement, paramName);
        if (agreement.Deadline is 0 or > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, "A close agreement's deadline is a unix time between 1 and 2^63 - 1.");
        }

        if (!TryCheckSignature(agreement.Signature, out var error))
        {
            throw new ArgumentException($"The signature of the close agreement for channel {agreement.Key} is invalid: {error}", paramName);
        }
    }

    /// <summary>Checks a refund before it is written.</summary>
    public static void Validate(Channels.Payee.Refunds.IssuedRefund refund, string paramName)
    {
        ArgumentNullException.ThrowIfNull(refund, paramName);
        if (!Channels.Payee.Refunds.RefundRequest.IsValidIdempotencyKey(refund.IdempotencyKey))
        {
            throw new ArgumentException("A refund's idempotency key is 1 to 128 printable ASCII characters.", paramName);
        }

        if (refund.Previous.Sign < 0 || refund.Cumulative <= refund.Previous || refund.Cumulative >= VoucherAmountLimit)
        {
            throw new ArgumentOutOfRangeException(paramName, "A refund's cumulative amount is above its previous one and below 2^96.");
        }

        if (!TryCheckSignature(refund.Signature, out var error))
        {
            throw new ArgumentException($"The signature of the refund for channel {refund.Key} is invalid: {error}", paramName);
        }
    }

    /// <summary>Checks a velocity flag before it is written.</summary>
    public static void Validate(VelocityFlag flag, string paramName)
    {
        ArgumentNullException.ThrowIfNull(flag, paramName);
        if (!Enum.IsDefined(flag.Rule))
        {
            throw new ArgumentOutOfRangeException(paramName, $"Velocity rule {(byte)flag.Rule} is not defined.");
        }
    }

    public static bool TryCheckSignature(byte[] signature, out string error)
    {
        if (signature.Length != SignatureLength)
        {
            error = $"a signature is {SignatureLength} bytes, got {signature.Length}.";
            return false;
        }

        if (signature[64] is not (27 or 28))
        {
            error = $"its v is {signature[64]}, expected 27 or 28.";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>Decodes a row's key; on failure the error names the raw columns.</summary>
    public static bool TryDecodeKey(object? chainId, object? contract, object? channelId, out ChannelKey key, out string error)
    {
        key = default;
        if (chainId is not long chain || contract is not byte[] { Length: Address.Length } contractBytes
            || channelId is not byte[] { Length: ChannelId.Length } channelBytes)
        {
            error = $"a row has a corrupt channel key (chain {Describe(chainId)}, contract {Describe(contract)}, channel {Describe(channelId)})";
            return false;
        }

        key = new ChannelKey(DecodeUInt64(chain), Address.FromBytes(contractBytes), ChannelId.FromBytes(channelBytes));
        error = string.Empty;
        return true;
    }

    public static bool TryDecodeAddress(object? column, out Address address)
    {
        address = default;
        if (column is not byte[] { Length: Address.Length } bytes)
        {
            return false;
        }

        address = Address.FromBytes(bytes);
        return true;
    }

    /// <summary>The exception for a row that cannot be decoded, naming the channel.</summary>
    public static InvalidDataException Corrupt(string table, ChannelKey key, string what) =>
        new($"The {table} row of channel {key} is corrupt: {what}");

    /// <summary>The exception for a row whose key itself cannot be decoded.</summary>
    public static InvalidDataException CorruptKey(string table, string error) => new($"The {table} table is corrupt: {error}.");

    private static string Describe(object? column) => column switch
    {
        null or DBNull => "NULL",
        byte[] bytes => $"{Hex.Encode(bytes)} ({bytes.Length} bytes)",
        _ => column.GetType().Name,
    };
}
