/**
 * What each brand's published guidelines ask of its experts (from brand.guidelines): the oldest version an
 * acceptance still counts for. The newest version's requirement holds; of two records of one version, the first in
 * the log, as the API reads them.
 */
export class GuidelinesRequirements {
  private readonly byBrand = new Map<string, { version: number; minAcceptedVersion: number }>();

  /** Records a published version; answers whether the brand's requirement changed. */
  published(brand: string, version: number, minAcceptedVersion: number): boolean {
    const known = this.byBrand.get(brand);
    if (known && known.version >= version) return false;
    this.byBrand.set(brand, { version, minAcceptedVersion });
    return known?.minAcceptedVersion !== minAcceptedVersion;
  }

  /** The oldest accepted version that counts for a brand's mentions; undefined when the brand published none. */
  get(brand: string): number | undefined {
    return this.byBrand.get(brand)?.minAcceptedVersion;
  }
}
