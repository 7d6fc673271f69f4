using NasOnnx.Pipeline;

namespace NasOnnx.Tests.Pipeline;

public class PipelineParserTests
{
    private static readonly StageRegistry Registry = new([new EchoStage()]);

    private static NasOnnxException Reject(string yaml)
    {
        var e = Assert.Throws<NasOnnxException>(() => new PipelineParser(Registry).Parse(yaml, "pipeline/bad.yaml"));
        Assert.Equal("pipeline/bad.yaml", e.FilePath);
        Assert.StartsWith("pipeline/bad.yaml:", e.Message);
        return e;
    }

    private const string Good = """
        name: demo
        seed: 3
        defaults:
          ratio: 0.25
        stages:
          - name: a
            kind: echo
            params:
              text: x
              count: 2
          - name: b
            kind: echo
            inputs: { upstream: a }
        """;

    [Fact]
    public void Parses_a_valid_pipeline()
    {
        var p = new PipelineParser(Registry).Parse(Good, "p.yaml");
        Assert.Equal("demo", p.Name);
        Assert.Equal(3, p.Seed);
        Assert.Equal(["a", "b"], p.Stages.Select(s => s.Name));
        Assert.Equal("a", p.Stages[1].Inputs["upstream"]);
        Assert.Equal("2", p.Stages[0].Params["count"].Value);
    }

    [Fact]
    public void Yaml_syntax_error_names_the_line()
    {
        var e = Reject("name: demo\nstages:\n  - kind: echo\n    params: { text: [unclosed\n");
        Assert.Contains("YAML syntax error", e.Message);
        Assert.Matches(@"bad\.yaml:[45]:", e.Message);
    }

    [Fact]
    public void Unknown_stage_kind_is_rejected_with_line_and_known_kinds()
    {
        var e = Reject("name: demo\nstages:\n  - kind: echo\n  - kind: trian\n");
        Assert.Contains("bad.yaml:4:", e.Message);
        Assert.Contains("unknown stage kind 'trian'", e.Message);
        Assert.Contains("echo", e.Fix);
    }

    [Fact]
    public void Unknown_param_is_rejected()
    {
        var e = Reject("name: demo\nstages:\n  - kind: echo\n    params:\n      txet: hi\n");
        Assert.Contains("bad.yaml:5:", e.Message);
        Assert.Contains("no param 'txet'", e.Message);
        Assert.Contains("text", e.Fix);
    }

    [Theory]
    [InlineData("count: many", "'many' is not an integer")]
    [InlineData("ratio: fast", "'fast' is not a number")]
    [InlineData("fail: maybe", "'maybe' is not true or false")]
    [InlineData("text: [a, b]", "expected a single value")]
    public void Wrong_type_is_rejected(string param, string problem)
    {
        var e = Reject($"name: demo\nstages:\n  - kind: echo\n    params:\n      {param}\n");
        Assert.Contains("bad.yaml:5:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Input_naming_a_missing_stage_is_rejected()
    {
        var e = Reject("name: demo\nstages:\n  - name: a\n    kind: echo\n  - kind: echo\n    inputs: { upstream: nowhere }\n");
        Assert.Contains("bad.yaml:6:", e.Message);
        Assert.Contains("'nowhere', which is not an earlier stage", e.Message);
    }

    [Fact]
    public void Input_naming_a_later_stage_is_rejected()
    {
        var e = Reject("name: demo\nstages:\n  - name: a\n    kind: echo\n    inputs: { upstream: b }\n  - name: b\n    kind: echo\n");
        Assert.Contains("not an earlier stage", e.Message);
    }

    [Theory]
    [InlineData("name: demo\nstages: []\n", "no `stages:` list")]
    [InlineData("stages:\n  - kind: echo\n", "missing `name:`")]
    [InlineData("name: demo\nsteps:\n  - kind: echo\n", "unknown key 'steps'")]
    [InlineData("name: demo\nstages:\n  - kind: echo\n  - kind: echo\n", "two stages are named 'echo'")]
    [InlineData("name: demo\nseed: abc\nstages:\n  - kind: echo\n", "seed 'abc' is not an integer")]
    [InlineData("name: demo\ndefaults:\n  colour: red\nstages:\n  - kind: echo\n", "default 'colour' is not a param")]
    [InlineData("name: demo\ndefaults:\n  count: lots\nstages:\n  - kind: echo\n", "'lots' is not an integer")]
    [InlineData("", "empty")]
    [InlineData("name: demo\nstages:\n  - kind: echo\n    inputs: { sideways: x }\n", "has no input 'sideways'")]
    public void Structural_errors_are_rejected(string yaml, string problem)
    {
        var e = Reject(yaml);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<NasOnnxException>(() => new PipelineParser(Registry).ParseFile("/nonexistent/p.yaml"));
        Assert.Contains("not found", e.Message);
    }
}
