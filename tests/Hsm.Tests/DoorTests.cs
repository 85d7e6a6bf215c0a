namespace Hsm.Tests;

public class DoorTests
{
    [Fact]
    public void Toggles()
    {
        var d = new Door();
        d.Start();
        d.Dispatch(new Open());
        Assert.True(d.IsIn<Door.Opened>());
        d.Dispatch(new Close());
        d.Dispatch(new Lock(42));
        d.Dispatch(new Unlock(1));
        Assert.True(d.IsIn<Door.Locked>());
        d.Dispatch(new Unlock(42));
        Assert.True(d.IsIn<Door.Closed>());
        Assert.Equal(["enter Closed", "exit Closed", "enter Opened", "exit Opened", "enter Closed", "exit Closed", "enter Locked", "enter Closed"], d.Log);
    }
}
