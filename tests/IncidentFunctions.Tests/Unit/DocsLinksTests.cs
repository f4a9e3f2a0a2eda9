using System.Text.RegularExpressions;
using IncidentFunctions.DevHost.Local;

namespace IncidentFunctions.Tests.Unit;

/// <summary>
/// Every relative link in the README and docs/ leads somewhere: the file exists, and a link to a heading names one
/// the target page has, by the slug GitHub gives it. Moving a section between pages, or renaming a heading, breaks a
/// link silently on GitHub; here it fails the build.
/// </summary>
public sealed partial class DocsLinksTests
{
    static readonly string Root = RepositoryPaths.Find().Root;

    static IEnumerable<string> Pages =>
        Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal).Prepend(Path.Combine(Root, "README.md"));

    /// <summary>A relative link found in a page (its path and text): what it points at.</summary>
    sealed record Link(string Page, string Markdown, string Target);

    /// <summary>The page's text without what markdown does not render as links: fenced code blocks and code spans.</summary>
    static string Prose(string markdown) => CodeSpan().Replace(FencedBlock().Replace(markdown, string.Empty), string.Empty);

    static IEnumerable<Link> RelativeLinks(string page, string markdown) =>
        MarkdownLink().Matches(Prose(markdown))
            .Select(m => m.Groups["target"].Value)
            .Where(target => !Scheme().IsMatch(target))
            .Select(target => new Link(page, markdown, target));

    /// <summary>
    /// GitHub's anchor for a heading: lower case, punctuation other than '-' and '_' dropped, each space a '-'; a
    /// heading repeated on one page gets "-1", "-2", ... from its second occurrence.
    /// </summary>
    static string Slug(string heading) =>
        NotInSlug().Replace(heading.Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-');

    static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(FencedBlock().Replace(markdown, string.Empty)))
        {
            var slug = Slug(heading.Groups["text"].Value);
            var unique = slug;
            for (var n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    /// <summary>Each link that leads nowhere, with the page it is on and why.</summary>
    static IEnumerable<string> Broken(Link link)
    {
        var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
        var path = hash < 0 ? link.Target : link.Target[..hash];
        var anchor = hash < 0 ? null : Uri.UnescapeDataString(link.Target[(hash + 1)..]);
        var target = path.Length == 0 ? link.Page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(link.Page)!, Uri.UnescapeDataString(path)));
        var where = $"{Path.GetRelativePath(Root, link.Page)}: ({link.Target})";

        if (path.Length > 0 && !File.Exists(target) && !Directory.Exists(target))
        {
            yield return $"{where} names a file that does not exist";
            yield break;
        }

        if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal)
            && !Anchors(target == link.Page ? link.Markdown : File.ReadAllText(target)).Contains(anchor))
        {
            // Anchors into other files (a source file's #L12) are GitHub's, not headings; only markdown headings are checked.
            yield return $"{where} names no heading of {Path.GetRelativePath(Root, target)}";
        }
    }

    [Fact]
    public void EveryRelativeLinkInTheReadmeAndTheDocsLeadsToAFileAndHeadingThatExist()
    {
        var links = Pages.SelectMany(page => RelativeLinks(page, File.ReadAllText(page))).ToList();

        Assert.Contains(links, l => l.Target.Contains('#', StringComparison.Ordinal) && !l.Target.StartsWith('#'));
        var broken = links.SelectMany(Broken).ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void TheReadmeLinksToEveryDocsPage()
    {
        var readme = Path.Combine(Root, "README.md");
        var linked = RelativeLinks(readme, File.ReadAllText(readme))
            .Select(l => Path.GetFullPath(Path.Combine(Root, l.Target.Split('#')[0])))
            .ToHashSet();

        Assert.All(Pages.Skip(1), page => Assert.Contains(page, linked));
    }

    [Theory]
    [InlineData("A five-minute tour", "a-five-minute-tour")]
    [InlineData("PagerDuty Events API v2", "pagerduty-events-api-v2")]
    [InlineData("host.json", "hostjson")]
    [InlineData("`Links__BaseUrl` and the key's (rotation)", "links__baseurl-and-the-keys-rotation")]
    public void HeadingsGetGitHubsSlugs(string heading, string slug) => Assert.Equal(slug, Slug(heading));

    [Fact]
    public void AMissingFileOrHeadingIsReportedAndCodeIsNotReadAsALink()
    {
        const string markdown = """
            # Here

            [fine](#here), [fine](../README.md), [gone](nowhere.md), [wrong heading](../README.md#no-such-heading),
            [wrong here](#nowhere), [outside](https://example.com/#x), `[code](nowhere.md)`

              ```
              [code](nowhere.md)
              ```
            """;

        var broken = RelativeLinks(Path.Combine(Root, "docs", "page.md"), markdown).SelectMany(Broken).ToList();

        Assert.Equal(
            ["docs/page.md: (nowhere.md) names a file that does not exist",
             "docs/page.md: (../README.md#no-such-heading) names no heading of README.md",
             "docs/page.md: (#nowhere) names no heading of docs/page.md"],
            broken);
    }

    [GeneratedRegex(@"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    /// <summary>A code span may wrap onto the next line, but not across a blank one.</summary>
    [GeneratedRegex(@"`(?:[^`\n]|\n(?![ \t]*\n))*`")]
    private static partial Regex CodeSpan();

    /// <summary>[text](target), not ![image](...); the text may span lines and hold one level of brackets.</summary>
    [GeneratedRegex(@"(?<!!)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?<target>[^()\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^#{1,6}[ \t]+(?<text>.+?)(?:[ \t]+#+)?[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N}\p{Mn}\p{Pc} -]")]
    private static partial Regex NotInSlug();
}
