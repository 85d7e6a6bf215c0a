using TrafficLightSample;

namespace Hsm.Tests;

public class TrafficLightSampleTests
{
    [Fact]
    public void TheReadmeAndDocsShowTheGeneratedDiagram()
    {
        var root = HsmRaft.TestSupport.RepositoryPaths.Root;
        foreach (var file in new[] { "samples/TrafficLight/README.md", "docs/diagrams/TrafficLight.md" })
        {
            var text = File.ReadAllText(Path.Combine(root, file));
            Assert.True(text.Contains("```mermaid\n" + TrafficLight.MermaidDiagram + "```", StringComparison.Ordinal),
                $"{file} is out of date: paste the output of `dotnet run --project samples/TrafficLight -- --mermaid` into it");
        }
    }

    [Fact]
    public void AButtonPressedDuringMaintenanceIsHonouredAfterTheRepair()
    {
        var light = new TrafficLight();
        light.Start();
        light.Dispatch(new PowerOn());
        light.Dispatch(new Tick());
        light.Dispatch(new Fault());
        light.Dispatch(new Button());
        Assert.True(light.IsIn<TrafficLight.Operating.Maintenance>());
        light.Dispatch(new Repaired());
        Assert.True(light.IsIn<TrafficLight.Operating.Normal.Lights.Yellow>());
        Assert.True(light.IsIn<TrafficLight.Operating.Normal.Crossing.Requested>());
        light.Dispatch(new Tick()); // Red: its entry raises Walk
        Assert.True(light.IsIn<TrafficLight.Operating.Normal.Crossing.Walking>());
    }
}
