// The one jstat function kvsim uses (jstat ships no type declarations).
declare module "jstat" {
  const jStat: { studentt: { inv(p: number, dof: number): number } };
  export default jStat;
}
