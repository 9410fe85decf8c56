using Shopstream.Grains.Interfaces.Records;
using Shopstream.Grains.Projection;

namespace Shopstream.Grains.Sessions;

/// <summary>Where an event came from, as the <c>dim_location</c> row its fact refers to.</summary>
public interface ILocationResolver
{
    /// <summary>The location of <paramref name="clickEvent"/>; a row whose country is <c>Unknown</c> when nothing is known.</summary>
    LocationRow Resolve(ClickEvent clickEvent);
}
