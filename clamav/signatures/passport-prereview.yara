rule PassportPrereview_Policy_PE_Header
{
  strings:
    $mz = { 4D 5A }
  condition:
    $mz at 0 and uint32(uint32(0x3C)) == 0x00004550
}
