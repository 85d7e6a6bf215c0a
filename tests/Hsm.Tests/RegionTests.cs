namespace Hsm.Tests;

public class RegionTests
{
    [Fact]
    public void RegionsEnterInDocumentOrderAndExitInReverse()
    {
        var m = new Player();
        m.Start();
        m.Trace.Clear();
        m.Dispatch(new Go());
        Assert.Equal(["exit Idle", "enter Running", "enter Quiet", "enter Mono"], m.Trace);
        Assert.True(m.IsIn<Player.Running.Audio.Quiet>());
        Assert.True(m.IsIn<Player.Running.Video.Mono>());
        m.Trace.Clear();
        m.Dispatch(new Next());
        Assert.Equal(["exit Quiet", "enter Loud", "exit Mono", "enter Color"], m.Trace);
        m.Trace.Clear();
        m.Dispatch(new Ping());
        Assert.Empty(m.Trace);
        m.Dispatch(new Stop());
        Assert.Equal(["exit Color", "exit Loud", "exit Running", "enter Idle", "ping"], m.Trace);
        Assert.True(m.IsIn<Player.Idle>());
        Assert.False(m.IsIn<Player.Running.Audio.Loud>());
    }
}
