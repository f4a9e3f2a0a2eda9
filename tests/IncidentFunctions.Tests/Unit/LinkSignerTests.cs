using System.Buffers.Text;
using IncidentFunctions.Links;
using static IncidentFunctions.Tests.Unit.LinkTestKit;

namespace IncidentFunctions.Tests.Unit;

public sealed class LinkSignerTests
{
    const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    readonly ManualClock clock = new(Start);

    LinkVerification VerifyAt(LinkSigner signer, Uri url)
    {
        var (incidentId, action, token) = Parse(url);
        return signer.Verify(incidentId, action, token);
    }

    [Fact]
    public void ALinkVerifiesForItsIncidentActionAndRecipient()
    {
        var signer = Signer(clock);
        var url = signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);

        var link = VerifyAt(signer, url);

        Assert.Equal(LinkStatus.Valid, link.Status);
        var grant = Assert.IsType<LinkGrant>(link.Grant);
        Assert.Equal(IncidentId, grant.IncidentId);
        Assert.Equal(LinkAction.Acknowledge, grant.Action);
        Assert.Equal("alice", grant.RecipientId);
        Assert.Equal(Start.AddHours(24), grant.ExpiresAt);
        Assert.Equal(url, grant.Url);
        Assert.Equal(signer.IncidentUrl(IncidentId), grant.IncidentUrl);
    }

    [Fact]
    public void ALinkIsTheRespondRouteUnderTheBaseUrlWithTheTokenInTheQuery()
    {
        var url = Signer(clock).CreateUrl(IncidentId, "alice", LinkAction.Resolve);

        Assert.StartsWith($"{BaseUrl}/api/respond/{IncidentId}/resolve?token=", url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal($"{BaseUrl}/api/incidents/{IncidentId}", Signer(clock).IncidentUrl(IncidentId).AbsoluteUri);
    }

    [Theory]
    [InlineData("https://incidents.example.com/", "https://incidents.example.com/api/")]
    [InlineData("http://localhost:7071", "http://localhost:7071/api/")]
    [InlineData("https://example.com/oncall/", "https://example.com/oncall/api/")]
    public void TheBaseUrlMayEndInASlashOrCarryAPath(string baseUrl, string prefix)
    {
        var signer = Signer(clock, baseUrl: baseUrl);

        Assert.StartsWith(prefix + "respond/", signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge).AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(prefix + "incidents/" + IncidentId, signer.IncidentUrl(IncidentId).AbsoluteUri);
    }

    [Fact]
    public void TheLifetimeIsConfigurable()
    {
        var url = Signer(clock, lifetimeHours: 1).CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);

        Assert.Equal(Start.AddHours(1), VerifyAt(Signer(clock), url).ExpiresAt);
    }

    [Fact]
    public void ChangingAnyByteOfTheTokenIsRefused()
    {
        var signer = Signer(clock);
        var (incidentId, action, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));
        var bytes = Base64Url.DecodeFromChars(token);

        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var tampered = (byte[])bytes.Clone();
                tampered[i] ^= bit;

                var status = signer.Verify(incidentId, action, Base64Url.EncodeToString(tampered)).Status;

                Assert.True(status is LinkStatus.BadSignature or LinkStatus.Malformed, $"byte {i} ^ {bit}: {status}");
            }
        }
    }

    [Fact]
    public void ChangingAnyCharacterOfTheTokenIsRefused()
    {
        var signer = Signer(clock);
        var (incidentId, action, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));

        for (var i = 0; i < token.Length; i++)
        {
            // Not the same as flipping bytes: a change to the unused low bits of the last character leaves the bytes alone.
            var replacement = Base64UrlAlphabet[(Base64UrlAlphabet.IndexOf(token[i], StringComparison.Ordinal) + 1) % 64];
            var tampered = string.Concat(token.AsSpan(0, i), [replacement], token.AsSpan(i + 1));

            var status = signer.Verify(incidentId, action, tampered).Status;

            Assert.True(status is LinkStatus.BadSignature or LinkStatus.Malformed, $"character {i}: {status}");
        }
    }

    [Fact]
    public void ALinkCannotBeHandedToAnotherRecipientOfTheSameNameLength()
    {
        var signer = Signer(clock);
        var (incidentId, action, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));
        var bytes = Base64Url.DecodeFromChars(token);
        var at = bytes.AsSpan().IndexOf("alice"u8);
        "mallo"u8.CopyTo(bytes.AsSpan(at));

        Assert.Equal(LinkStatus.BadSignature, signer.Verify(incidentId, action, Base64Url.EncodeToString(bytes)).Status);
    }

    [Fact]
    public void ALinkWorksUntilItsExpiryAndIsExpiredFromThen()
    {
        var signer = Signer(clock);
        var url = signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);

        clock.Now = Start.AddHours(24).AddSeconds(-1);
        Assert.Equal(LinkStatus.Valid, VerifyAt(signer, url).Status);

        clock.Now = Start.AddHours(24);
        var expired = VerifyAt(signer, url);

        Assert.Equal(LinkStatus.Expired, expired.Status);
        Assert.Equal(Start.AddHours(24), expired.ExpiresAt);
        Assert.Equal("alice", expired.RecipientId);
        Assert.Null(expired.Grant);
    }

    [Fact]
    public void AnExpiredLinkThatWasAlsoTamperedWithIsReportedAsTamperedNotExpired()
    {
        var signer = Signer(clock);
        var (incidentId, _, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));
        clock.Now = Start.AddDays(30);

        Assert.Equal(LinkStatus.BadSignature, signer.Verify(incidentId, "resolve", token).Status);
        Assert.Equal(LinkStatus.BadSignature, signer.Verify(OtherIncidentId, "acknowledge", token).Status);
    }

    [Fact]
    public void AnAcknowledgeLinkCannotResolve()
    {
        var signer = Signer(clock);
        var (incidentId, _, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));

        var link = signer.Verify(incidentId, "resolve", token);

        Assert.Equal(LinkStatus.BadSignature, link.Status);
        Assert.Null(link.Grant);
    }

    [Theory]
    [InlineData(OtherIncidentId)]
    [InlineData("INC-20261126-7K3QX9M")]
    [InlineData("not-an-incident")]
    [InlineData("")]
    public void ALinkForOneIncidentDoesNotWorkForAnother(string otherIncident)
    {
        var signer = Signer(clock);
        var (_, action, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));

        Assert.Equal(LinkStatus.BadSignature, signer.Verify(otherIncident, action, token).Status);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("Acknowledge")]
    [InlineData("0")]
    [InlineData("")]
    public void AnActionLinksCannotDoIsReportedAsUnknown(string action)
    {
        var signer = Signer(clock);
        var (incidentId, _, token) = Parse(signer.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge));

        Assert.Equal(LinkStatus.UnknownAction, signer.Verify(incidentId, action, token).Status);
    }

    [Fact]
    public void ALinkSignedWithAnotherKeyIsRefused()
    {
        var url = Signer(clock, key: KeyB).CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);

        Assert.Equal(LinkStatus.BadSignature, VerifyAt(Signer(clock, key: KeyA), url).Status);
    }

    [Fact]
    public void DuringARotationLinksSignedWithThePreviousKeyStillWorkAndNewOnesUseTheNewKey()
    {
        var before = Signer(clock, key: KeyA);
        var during = Signer(clock, key: KeyB, previousKey: KeyA);
        var after = Signer(clock, key: KeyB);
        var old = before.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);
        var fresh = during.CreateUrl(IncidentId, "alice", LinkAction.Acknowledge);

        Assert.Equal(LinkStatus.Valid, VerifyAt(during, old).Status);
        Assert.Equal(LinkStatus.Valid, VerifyAt(during, fresh).Status);
        Assert.Equal(LinkStatus.Valid, VerifyAt(after, fresh).Status);
        Assert.Equal(LinkStatus.BadSignature, VerifyAt(after, old).Status);
    }

    public static TheoryData<string?> GarbageTokens()
    {
        var valid = Parse(Signer(new ManualClock(Start)).CreateUrl(IncidentId, "alice", LinkAction.Acknowledge)).Token;
        var bytes = Base64Url.DecodeFromChars(valid);
        var otherVersion = (byte[])bytes.Clone();
        otherVersion[0] = 2;
        var longerRecipient = (byte[])bytes.Clone();
        longerRecipient[9]++;
        return new TheoryData<string?>
        {
            null,
            string.Empty,
            " ",
            "!!!!",
            "abc",
            "A",
            new string('A', 100_000),
            valid + "=",
            valid + " ",
            " " + valid,
            valid[..20] + "\n" + valid[20..],
            valid[..^1],
            valid + "A",
            valid + valid,
            Base64Url.EncodeToString(otherVersion),
            Base64Url.EncodeToString(longerRecipient),
            Base64Url.EncodeToString(bytes.AsSpan(0, 42)),
            Base64Url.EncodeToString(new byte[300]),
            Convert.ToBase64String(bytes),
        };
    }

    [Theory]
    [MemberData(nameof(GarbageTokens))]
    public void GarbageIsMalformedAndNeverThrows(string? token)
    {
        var link = Signer(clock).Verify(IncidentId, "acknowledge", token);

        Assert.Equal(LinkStatus.Malformed, link.Status);
        Assert.Null(link.Grant);
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice smith")]
    [InlineData("alice@example.com")]
    [InlineData("alice/../bob")]
    [InlineData("älice")]
    public void LinksAreOnlyMadeForRecipientIdsOfThePersonIdAlphabet(string recipientId)
    {
        Assert.Throws<ArgumentException>(() => Signer(clock).CreateUrl(IncidentId, recipientId, LinkAction.Acknowledge));
    }

    [Fact]
    public void LinksAreOnlyMadeForWellFormedIncidentIds()
    {
        Assert.Throws<ArgumentException>(() => Signer(clock).CreateUrl("INC-1", "alice", LinkAction.Acknowledge));
    }

    [Fact]
    public void TheLongestRecipientIdStillMakesAVerifiableLink()
    {
        var signer = Signer(clock);
        var recipient = new string('a', LinkSigner.MaxRecipientIdLength);

        Assert.Equal(recipient, VerifyAt(signer, signer.CreateUrl(IncidentId, recipient, LinkAction.Resolve)).RecipientId);
        Assert.Throws<ArgumentException>(() => signer.CreateUrl(IncidentId, recipient + "a", LinkAction.Resolve));
    }
}
